import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An unsigned JWT-shaped token: the pages read its claims, the APIs (not here) would verify it. */
const jwt = (claims: Record<string, unknown>) => {
  const [header, payload] = ['{"alg":"none"}', JSON.stringify(claims)].map((part) =>
    Buffer.from(part).toString('base64url'),
  );
  return `${header}.${payload}.`;
};

/**
 * A tiny OAuth 2.0 authorization server in place of Cognito's managed login (which is outside the product),
 * speaking what the pages use of it: `/oauth2/authorize` signs in whoever `signInAs` names and sends the
 * browser back with a code; `/logout` sends it back to `logout_uri`; `/oauth2/token` exchanges a code once, for the client, redirect URI and PKCE
 * verifier (S256) it was issued for, and refreshes with a refresh token (answering no new refresh token,
 * as Cognito does). It notes every token request.
 */
export async function startAuthorizationServer({
  clientId,
  issue,
}: {
  clientId: string;
  /** Signs the tokens of whoever signs in (a browser test asks the local runtime's dev issuer); unsigned by default. */
  issue?: (sub: string) => Promise<string>;
}) {
  const codes = new Map<string, { challenge: string; redirectUri: string; sub: string }>();
  const refreshTokens = new Map<string, string>();
  const tokenRequests: URLSearchParams[] = [];
  const state = { signInAs: 'agent-1', expiresIn: 3600, issued: 0 };
  const tokensFor = async (sub: string) => {
    state.issued += 1;
    const claims = { sub, client_id: clientId, n: state.issued };
    const signed = issue ? await issue(sub) : undefined;
    return {
      access_token: signed ?? jwt({ ...claims, token_use: 'access' }),
      id_token: signed ?? jwt({ ...claims, aud: clientId, token_use: 'id' }),
      expires_in: state.expiresIn,
      token_type: 'Bearer',
    };
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://auth');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res
        .writeHead(status, {
          'content-type': 'application/json',
          'access-control-allow-origin': '*',
          ...headers,
        })
        .end(JSON.stringify(body));
    if (req.method === 'GET' && url.pathname === '/oauth2/authorize') {
      const q = url.searchParams;
      if (
        q.get('client_id') !== clientId ||
        q.get('response_type') !== 'code' ||
        q.get('code_challenge_method') !== 'S256'
      )
        return send(400, { error: 'invalid_request' });
      const code = randomUUID();
      const redirectUri = q.get('redirect_uri') ?? '';
      codes.set(code, { challenge: q.get('code_challenge') ?? '', redirectUri, sub: state.signInAs });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') ?? '');
      return send(302, {}, { location: back.href });
    }
    if (req.method === 'GET' && url.pathname === '/logout') {
      if (url.searchParams.get('client_id') !== clientId) return send(400, { error: 'invalid_request' });
      return send(302, {}, { location: url.searchParams.get('logout_uri') ?? '' });
    }
    if (req.method === 'OPTIONS') {
      return send(
        204,
        {},
        { 'access-control-allow-headers': 'content-type', 'access-control-allow-methods': 'POST' },
      );
    }
    if (req.method !== 'POST' || url.pathname !== '/oauth2/token') return send(404, { error: 'not_found' });
    if (req.headers['content-type'] !== 'application/x-www-form-urlencoded') {
      return send(400, { error: 'invalid_request' });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    tokenRequests.push(form);
    if (form.get('client_id') !== clientId) return send(400, { error: 'invalid_client' });
    if (form.get('grant_type') === 'authorization_code') {
      const issued = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      if (
        !issued ||
        issued.redirectUri !== form.get('redirect_uri') ||
        createHash('sha256').update(verifier).digest('base64url') !== issued.challenge
      )
        return send(400, { error: 'invalid_grant' });
      const refreshToken = randomUUID();
      refreshTokens.set(refreshToken, issued.sub);
      return send(200, { ...(await tokensFor(issued.sub)), refresh_token: refreshToken });
    }
    if (form.get('grant_type') === 'refresh_token') {
      const sub = refreshTokens.get(form.get('refresh_token') ?? '');
      return sub ? send(200, await tokensFor(sub)) : send(400, { error: 'invalid_grant' });
    }
    return send(400, { error: 'unsupported_grant_type' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    tokenRequests,
    /** Revokes every refresh token, as signing out everywhere or disabling the user does. */
    revokeRefreshTokens: () => refreshTokens.clear(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
