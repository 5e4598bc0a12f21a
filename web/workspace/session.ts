import { claimsOf, createCognitoSignIn, SignInError } from '../shared/cognito-sign-in.ts';
import type { HostedConfig } from '../shared/config.ts';

/**
 * Who is signed in, and how the page speaks for them: a token for the socket (a fresh one on every
 * connect, as the agent client asks) and the staff REST reads an agent may make on its own call. Locally the
 * token comes from the runtime's dev issuer (`POST /dev/token`, same origin); on AWS it is Cognito's access
 * token, and REST and the socket are the deployment's APIs (`/config.json`).
 */
export interface Session {
  agentId: string;
  /** The agent socket. */
  socketUrl: string;
  /** A valid token, for a socket's connect. */
  token(): Promise<string>;
  /** A REST read as this person: the parsed body, or an error naming the status. */
  get<T>(path: string): Promise<T>;
  signOut(): void;
}

function sessionOf(parts: {
  agentId: string;
  socketUrl: string;
  restApiUrl: string;
  token(): Promise<string>;
  /** The token REST reads carry. */
  bearer(): Promise<string>;
  signOut(): void;
}): Session {
  const { restApiUrl, bearer, ...session } = parts;
  return {
    ...session,
    async get<T>(path: string) {
      const res = await fetch(`${restApiUrl}${path}`, {
        headers: { authorization: `Bearer ${await bearer()}` },
      });
      if (!res.ok) throw new Error(`${path}: ${res.status}`);
      return (await res.json()) as T;
    },
  };
}

/**
 * Whoever types an id is that person: the local runtime's dev sign-in, for an agent by default (the
 * supervisor view asks for `['supervisors']`). REST and the socket are on the page's origin.
 */
export function localSession(
  agentId: string,
  groups: readonly string[] | undefined,
  signOut: () => void,
): Session {
  let latest: Promise<string> | undefined;
  const token = () => {
    latest = (async () => {
      const res = await fetch('/dev/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ agentId, ...(groups ? { groups } : {}) }),
      });
      if (!res.ok) throw new Error(`sign-in refused (${res.status})`);
      return ((await res.json()) as { token: string }).token;
    })();
    return latest;
  };
  return sessionOf({
    agentId,
    socketUrl: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
    restApiUrl: '',
    token,
    bearer: () => latest ?? token(),
    signOut,
  });
}

/**
 * Cognito's sign-in of this page (tokens in this tab's sessionStorage). Each page comes back to its own
 * path: the workspace to the redirect URI, the supervisor view to `/supervisor` on its origin.
 */
export function hostedSignIn(config: HostedConfig) {
  const signIn = createCognitoSignIn(config.cognito, { storage: sessionStorage });
  const pageUrl = new URL(location.pathname, config.cognito.redirectUri).href;
  const start = async () => location.assign(await signIn.authorizeUrl(pageUrl));
  return {
    start,
    /**
     * The session of this tab: ends the sign-in when the browser has just come back from the managed
     * login (the code, used once, is taken out of the address), else resumes the tokens kept; none without.
     */
    async resume(): Promise<Session | undefined> {
      const here = new URL(location.href);
      if (signIn.isCallback(here)) {
        history.replaceState(null, '', here.pathname);
        await signIn.completeSignIn(here);
      }
      const tokens = signIn.tokens();
      if (!tokens) return undefined;
      // A refresh refused (its refresh token expired or revoked) sends the person to sign in again.
      const token = () =>
        signIn.accessToken().catch(async (err: unknown) => {
          if (err instanceof SignInError) await start();
          throw err;
        });
      return sessionOf({
        agentId: String(claimsOf(tokens.idToken).sub),
        socketUrl: config.webSocketUrl,
        restApiUrl: config.restApiUrl,
        token,
        bearer: token,
        signOut: () => location.assign(signIn.signOutUrl(pageUrl)),
      });
    },
  };
}
