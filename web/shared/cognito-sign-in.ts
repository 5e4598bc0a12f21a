import type { CognitoConfig } from './config.ts';

/**
 * Signing in with Cognito's managed login, as a public client: the authorization code flow with PKCE
 * (RFC 7636, S256) and a `state` checked on return, tokens kept in sessionStorage (gone with the tab, never
 * shared with another), the access token refreshed with the refresh token before it expires. No UI: the
 * page sends the browser to the URLs it gets and hands back the URL it came back to.
 */
export interface Tokens {
  accessToken: string;
  idToken: string;
  refreshToken: string;
  /** When the access token expires, in epoch milliseconds. */
  expiresAt: number;
}

/** What the flow needs of its browser: sessionStorage, fetch and a clock (tests give their own). */
export interface SignInDeps {
  storage: {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
    removeItem(key: string): void;
  };
  fetch?: typeof fetch;
  now?: () => number;
}

/** The sign-in cannot go on: the page must send the person to the managed login again. */
export class SignInError extends Error {
  override name = 'SignInError';
}

const SCOPES = 'openid email profile';
/** An access token expiring sooner than this is refreshed before it is handed out. */
const REFRESH_MARGIN_MS = 60_000;
const PENDING_KEY = 'cognito.pending';
const TOKENS_KEY = 'cognito.tokens';

interface Pending {
  state: string;
  verifier: string;
  redirectUri: string;
}

export const base64Url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/** 32 random bytes, base64url: a code verifier (43 characters, RFC 7636 §4.1) or a state. */
export const randomToken = (): string => base64Url(crypto.getRandomValues(new Uint8Array(32)));

/** The S256 code challenge of a verifier: BASE64URL(SHA256(ASCII(verifier))). */
export async function codeChallenge(verifier: string): Promise<string> {
  return base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

/** A JWT's claims, read without verifying it (the APIs verify it): who is signed in, for the page. */
export function claimsOf(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
}

export function createCognitoSignIn(config: CognitoConfig, deps: SignInDeps) {
  const { storage } = deps;
  const fetchFn = deps.fetch ?? ((input, init) => fetch(input, init));
  const now = deps.now ?? Date.now;
  const read = <T>(key: string): T | undefined => {
    const text = storage.getItem(key);
    return text ? (JSON.parse(text) as T) : undefined;
  };
  let refreshing: Promise<Tokens> | undefined;

  /** Cognito's token endpoint, which takes a form and answers JSON (or `{"error"}` with a 400). */
  const tokenRequest = async (form: Record<string, string>) => {
    const res = await fetchFn(`${config.domain}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) throw new SignInError(`the token endpoint refused: ${String(body.error ?? res.status)}`);
    return body as { access_token: string; id_token: string; refresh_token?: string; expires_in: number };
  };
  const keep = (
    body: Awaited<ReturnType<typeof tokenRequest>>,
    refreshToken = body.refresh_token,
  ): Tokens => {
    if (!refreshToken) throw new SignInError('the token endpoint gave no refresh token');
    const tokens = {
      accessToken: body.access_token,
      idToken: body.id_token,
      refreshToken,
      expiresAt: now() + body.expires_in * 1000,
    };
    storage.setItem(TOKENS_KEY, JSON.stringify(tokens));
    return tokens;
  };

  return {
    /** Where to send the browser to sign in; it comes back to `redirectUri` with `?code=…&state=…`. */
    async authorizeUrl(redirectUri: string): Promise<string> {
      const pending: Pending = { state: randomToken(), verifier: randomToken(), redirectUri };
      storage.setItem(PENDING_KEY, JSON.stringify(pending));
      const url = new URL(`${config.domain}/oauth2/authorize`);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: config.clientId,
        redirect_uri: redirectUri,
        scope: SCOPES,
        state: pending.state,
        code_challenge: await codeChallenge(pending.verifier),
        code_challenge_method: 'S256',
      }).toString();
      return url.href;
    },

    /** Whether a URL the browser came back to carries an answer of the managed login. */
    isCallback: (url: URL) => url.searchParams.has('state'),

    /**
     * Ends a sign-in with the URL the browser came back to: its `state` must be the one this tab sent
     * (else someone else's code is being slipped in, and it is refused), then its code is exchanged, with
     * the verifier, for tokens. The pending sign-in is used once, whatever the outcome.
     */
    async completeSignIn(callback: URL): Promise<Tokens> {
      const pending = read<Pending>(PENDING_KEY);
      storage.removeItem(PENDING_KEY);
      const state = callback.searchParams.get('state');
      if (!pending || !state || state !== pending.state) {
        throw new SignInError('the sign-in answer does not match the sign-in this page started');
      }
      const error = callback.searchParams.get('error');
      if (error)
        throw new SignInError(`sign-in failed: ${callback.searchParams.get('error_description') ?? error}`);
      const code = callback.searchParams.get('code');
      if (!code) throw new SignInError('the sign-in answer has no code');
      return keep(
        await tokenRequest({
          grant_type: 'authorization_code',
          client_id: config.clientId,
          code,
          redirect_uri: pending.redirectUri,
          code_verifier: pending.verifier,
        }),
      );
    },

    /** The tokens of this tab's sign-in, if any. */
    tokens: (): Tokens | undefined => read<Tokens>(TOKENS_KEY),

    /**
     * A valid access token: the one kept, or a fresh one from the refresh token once it expires within a
     * minute (one refresh at a time, whoever asks). A refused refresh forgets the tokens (a network failure does not).
     */
    async accessToken(): Promise<string> {
      const tokens = read<Tokens>(TOKENS_KEY);
      if (!tokens) throw new SignInError('not signed in');
      if (tokens.expiresAt - now() > REFRESH_MARGIN_MS) return tokens.accessToken;
      refreshing ??= tokenRequest({
        grant_type: 'refresh_token',
        client_id: config.clientId,
        refresh_token: tokens.refreshToken,
      })
        // Cognito answers a refresh without a new refresh token: the one kept stays valid.
        .then((body) => keep(body, body.refresh_token ?? tokens.refreshToken))
        .catch((err: unknown) => {
          if (err instanceof SignInError) storage.removeItem(TOKENS_KEY);
          throw err;
        })
        .finally(() => {
          refreshing = undefined;
        });
      return (await refreshing).accessToken;
    },

    /** Forgets the tokens and says where to send the browser: the managed login's sign-out, then back. */
    signOutUrl(logoutUri: string): string {
      storage.removeItem(TOKENS_KEY);
      const url = new URL(`${config.domain}/logout`);
      url.search = new URLSearchParams({ client_id: config.clientId, logout_uri: logoutUri }).toString();
      return url.href;
    },
  };
}

export type CognitoSignIn = ReturnType<typeof createCognitoSignIn>;
