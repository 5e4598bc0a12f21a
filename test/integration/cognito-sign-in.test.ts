import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  claimsOf,
  codeChallenge,
  createCognitoSignIn,
  SignInError,
} from '../../web/shared/cognito-sign-in.ts';
import { startAuthorizationServer } from '../support/authorization-server.ts';

const CLIENT_ID = 'workspace-client';
const PAGE = 'https://pages.example/';

/** sessionStorage as the browser has it: strings by key. */
function memoryStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

/**
 * The pages' sign-in (authorization code + PKCE) against a real HTTP authorization server standing for
 * Cognito's managed login: the browser's part is played by following the redirects by hand.
 */
describe("the pages' Cognito sign-in", () => {
  let auth: Awaited<ReturnType<typeof startAuthorizationServer>>;
  let storage: ReturnType<typeof memoryStorage>;
  let clock: number;
  let signIn: ReturnType<typeof createCognitoSignIn>;

  beforeAll(async () => {
    auth = await startAuthorizationServer({ clientId: CLIENT_ID });
  });
  afterAll(() => auth.close());
  beforeEach(() => {
    storage = memoryStorage();
    clock = Date.parse('2025-06-01T09:00:00Z');
    auth.tokenRequests.length = 0;
    auth.state.signInAs = 'agent-1';
    signIn = createCognitoSignIn(
      {
        region: 'eu-west-1',
        userPoolId: 'eu-west-1_pool',
        clientId: CLIENT_ID,
        domain: auth.url,
        redirectUri: PAGE,
      },
      { storage, now: () => clock },
    );
  });

  /** What the browser does with the authorize URL: the managed login signs in and sends it back. */
  const comeBackFrom = async (authorizeUrl: string): Promise<URL> => {
    const res = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location') as string);
  };

  it('derives the S256 code challenge of RFC 7636, Appendix B', async () => {
    expect(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('sends the browser to the managed login for a code, with an S256 challenge, a state and the scopes', async () => {
    const url = new URL(await signIn.authorizeUrl(PAGE));
    const other = new URL(await signIn.authorizeUrl(PAGE));

    expect(`${url.origin}${url.pathname}`).toBe(`${auth.url}/oauth2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: PAGE,
      scope: 'openid email profile',
      code_challenge_method: 'S256',
    });
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    // Each sign-in its own state and verifier.
    expect(other.searchParams.get('state')).not.toBe(url.searchParams.get('state'));
    expect(other.searchParams.get('code_challenge')).not.toBe(url.searchParams.get('code_challenge'));
  });

  it('exchanges the code it comes back with, with its verifier, for tokens kept in session storage', async () => {
    const back = await comeBackFrom(await signIn.authorizeUrl(PAGE));

    expect(signIn.isCallback(back)).toBe(true);
    const tokens = await signIn.completeSignIn(back);

    expect(claimsOf(tokens.idToken)).toMatchObject({ sub: 'agent-1', aud: CLIENT_ID });
    expect(tokens.expiresAt).toBe(clock + 3600_000);
    expect(signIn.tokens()).toEqual(tokens);
    expect(await signIn.accessToken()).toBe(tokens.accessToken);
    const [exchange] = auth.tokenRequests;
    expect(Object.fromEntries(exchange ?? [])).toMatchObject({
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      redirect_uri: PAGE,
    });
    // Only the tokens are left: the verifier was for this one exchange.
    expect([...storage.items.keys()]).toEqual(['cognito.tokens']);
  });

  it('refuses an answer whose state is not the one it sent, and exchanges nothing', async () => {
    const back = await comeBackFrom(await signIn.authorizeUrl(PAGE));
    back.searchParams.set('state', 'someone-elses-state');

    await expect(signIn.completeSignIn(back)).rejects.toThrow(SignInError);
    expect(auth.tokenRequests).toEqual([]);
    expect(signIn.tokens()).toBeUndefined();
  });

  it('refuses an answer it did not ask for, or the same answer twice', async () => {
    const back = await comeBackFrom(await signIn.authorizeUrl(PAGE));
    await signIn.completeSignIn(back);

    await expect(signIn.completeSignIn(back)).rejects.toThrow(/does not match/);
    expect(auth.tokenRequests).toHaveLength(1);
  });

  it('reports a code the authorization server refuses', async () => {
    const back = await comeBackFrom(await signIn.authorizeUrl(PAGE));
    back.searchParams.set('code', 'forged');

    await expect(signIn.completeSignIn(back)).rejects.toThrow(/refused: invalid_grant/);
    expect(signIn.tokens()).toBeUndefined();
  });

  it('refreshes the access token with the refresh token a minute before it expires, once for all who ask', async () => {
    const first = await signIn.completeSignIn(await comeBackFrom(await signIn.authorizeUrl(PAGE)));
    clock += 3540_000 - 1;
    expect(await signIn.accessToken()).toBe(first.accessToken);

    clock += 1;
    const [a, b] = await Promise.all([signIn.accessToken(), signIn.accessToken()]);

    expect(a).toBe(b);
    expect(a).not.toBe(first.accessToken);
    expect(auth.tokenRequests.map((form) => form.get('grant_type'))).toEqual([
      'authorization_code',
      'refresh_token',
    ]);
    expect(auth.tokenRequests[1]?.get('refresh_token')).toBe(first.refreshToken);
    // The refresh answers no refresh token: the one kept goes on.
    expect(signIn.tokens()).toMatchObject({ refreshToken: first.refreshToken, expiresAt: clock + 3600_000 });
  });

  it('forgets the tokens when the refresh is refused, so the page signs in again', async () => {
    await signIn.completeSignIn(await comeBackFrom(await signIn.authorizeUrl(PAGE)));
    auth.revokeRefreshTokens();
    clock += 3600_000;

    await expect(signIn.accessToken()).rejects.toThrow(SignInError);
    expect(signIn.tokens()).toBeUndefined();
  });

  it('signs out through the managed login’s /logout, back to the page, forgetting the tokens', async () => {
    await signIn.completeSignIn(await comeBackFrom(await signIn.authorizeUrl(PAGE)));

    const url = new URL(signIn.signOutUrl(PAGE));

    expect(`${url.origin}${url.pathname}`).toBe(`${auth.url}/logout`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: CLIENT_ID, logout_uri: PAGE });
    expect(signIn.tokens()).toBeUndefined();
  });
});
