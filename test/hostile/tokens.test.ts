import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventually } from '../support/poll.ts';
import { useLocalStack } from '../support/stack.ts';

/** What the gateway answers an upgrade with this token: 101 when the socket opened. */
function upgradeStatus(wsUrl: string, token: string | undefined): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(token === undefined ? wsUrl : `${wsUrl}?token=${encodeURIComponent(token)}`);
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('error', () => resolve(0));
  });
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('hostile agent tokens', () => {
  const ctx = useLocalStack();

  async function devToken(body: Record<string, unknown>) {
    const res = await fetch(`${ctx.stack.url}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return ((await res.json()) as { token: string }).token;
  }

  /** A token with the dev issuer's claims, signed with a key of the attacker's own. */
  async function forged(claims: { sub?: string; iss?: string; aud?: string }, alg = 'RS256') {
    const { privateKey } = await generateKeyPair(alg);
    const good = JSON.parse(
      Buffer.from((await devToken({ agentId: 'x' })).split('.')[1] as string, 'base64url').toString(),
    );
    const jwt = new SignJWT({ token_use: 'id' })
      .setProtectedHeader({ alg, kid: 'local-1' })
      .setIssuer(claims.iss ?? good.iss)
      .setAudience(claims.aud ?? good.aud)
      .setIssuedAt()
      .setExpirationTime('1h');
    if (claims.sub !== undefined) jwt.setSubject(claims.sub);
    return jwt.sign(privateKey);
  }

  /** What GET /v1/agents/token-owner (the agent's own record) answers with this token. */
  async function restStatus(token: string | undefined): Promise<number> {
    const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
    return (await fetch(`${ctx.stack.url}/v1/agents/token-owner`, { headers })).status;
  }

  it('opens a socket and reads its own record with a registered agent’s own token (the control case)', async () => {
    await ctx.agent('token-owner');
    const token = await devToken({ agentId: 'token-owner' });
    expect(await upgradeStatus(ctx.stack.wsUrl, token)).toBe(101);
    expect(await restStatus(token)).toBe(200);
  });

  it.each([
    ['no token', async () => undefined],
    ['an empty token', async () => ''],
    ['garbage', async () => 'not.a.jwt'],
    ['a token signed with another key', () => forged({ sub: 'token-owner' })],
    [
      'an alg "none" token',
      async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'token-owner' })}.`,
    ],
    [
      'an HS256 token keyed with the public JWKS',
      async () => {
        const jwks = (await (await fetch(`${ctx.stack.url}/dev/jwks`)).json()) as { keys: { n: string }[] };
        return new SignJWT({ sub: 'token-owner' })
          .setProtectedHeader({ alg: 'HS256', kid: 'local-1' })
          .sign(Buffer.from(jwks.keys[0]?.n ?? ''));
      },
    ],
    [
      'a token whose signature was cut off',
      async () => (await devToken({ agentId: 'token-owner' })).replace(/\.[^.]+$/, '.'),
    ],
    [
      'a token with a tampered subject',
      async () => {
        const [header, , signature] = (await devToken({ agentId: 'someone-else' })).split('.');
        return `${header}.${b64({ sub: 'token-owner' })}.${signature}`;
      },
    ],
    ['a token from another issuer', () => forged({ sub: 'token-owner', iss: 'https://evil.example' })],
    ['a token for another audience', () => forged({ sub: 'token-owner', aud: 'someone-else' })],
  ])('refuses the socket and the REST API with 401 for %s', async (_what, token) => {
    await ctx.agent('token-owner');
    const value = await token();
    expect(await upgradeStatus(ctx.stack.wsUrl, value)).toBe(401);
    expect(await restStatus(value)).toBe(401);
  });

  it('refuses a valid token of an agent nobody registered with 403', async () => {
    expect(await upgradeStatus(ctx.stack.wsUrl, await devToken({ agentId: 'never-registered' }))).toBe(403);
  });

  it('refuses an expired token with 401', async () => {
    await ctx.agent('short-lived');
    const token = await devToken({ agentId: 'short-lived', ttlSeconds: 3 });
    expect(await upgradeStatus(ctx.stack.wsUrl, token)).toBe(101);
    await eventually(async () => (await upgradeStatus(ctx.stack.wsUrl, token)) === 401, {
      timeoutMs: 8_000,
      what: 'the token to expire',
    });
  });

  it('closes a socket once its token has expired, and forgets it; a socket with a fresh token stays', async () => {
    await ctx.agent('expiring');
    const short = new WebSocket(
      `${ctx.stack.wsUrl}?token=${await devToken({ agentId: 'expiring', ttlSeconds: 2 })}`,
    );
    const long = new WebSocket(`${ctx.stack.wsUrl}?token=${await devToken({ agentId: 'expiring' })}`);
    await Promise.all([short, long].map((s) => new Promise((resolve) => s.once('open', resolve))));
    const closed = new Promise<number>((resolve) => short.once('close', resolve));

    // The sweep (every second here, every minute on AWS) closes it: within its interval of the expiry.
    expect(await closed).toBe(1000);
    const agents = new DynamoDBClient({
      endpoint: ctx.stack.awsEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await eventually(async () => {
      const { Item } = await agents.send(
        new GetItemCommand({ TableName: 'Agents', Key: { agentId: { S: 'expiring' } } }),
      );
      return Item?.connections?.L?.length === 1;
    });
    expect(long.readyState).toBe(WebSocket.OPEN);
    long.close();
  });

  it.each([
    ['disabled', { enabled: false }],
    ['taken out of the agents group', { groups: ['supervisors'] }],
  ])(
    'closes, at the sweep, the sockets of an agent %s in the user pool, whose token is still valid',
    async (_what, change) => {
      const agentId = `revoked-${Object.keys(change)[0]}`;
      await ctx.agent(agentId);
      const sockets = await Promise.all(
        [1, 2].map(async () => {
          const socket = new WebSocket(`${ctx.stack.wsUrl}?token=${await devToken({ agentId })}`);
          await new Promise((resolve) => socket.once('open', resolve));
          return socket;
        }),
      );
      const closed = sockets.map((s) => new Promise<number>((resolve) => s.once('close', resolve)));

      const res = await fetch(`${ctx.stack.url}/dev/users/${agentId}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(change),
      });
      expect(res.status).toBe(200);

      expect(await Promise.all(closed)).toEqual([1000, 1000]);
      await eventually(async () => (await ctx.agentView(agentId))?.connected === false, {
        what: 'the agent to have no socket left',
      });
    },
  );

  it('refuses a token to someone disabled, and gives one again once enabled', async () => {
    const put = (enabled: boolean) =>
      fetch(`${ctx.stack.url}/dev/users/locked-out`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ enabled }),
      });
    await put(false);
    const refused = await fetch(`${ctx.stack.url}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agentId: 'locked-out' }),
    });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    await put(true);
    expect(await devToken({ agentId: 'locked-out' })).toEqual(expect.any(String));
  });

  it('issues a token with the groups asked for, an agent’s by default', async () => {
    const claims = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as Record<
        string,
        unknown
      >;

    expect(claims(await devToken({ agentId: 'g1' }))['cognito:groups']).toEqual(['agents']);
    expect(claims(await devToken({ agentId: 'g2', groups: ['supervisors', 'admins'] }))).toMatchObject({
      sub: 'g2',
      'cognito:groups': ['supervisors', 'admins'],
    });
  });

  it('answers bad requests to the token issuer in the usual error shape, with no token', async () => {
    for (const [body, status, code] of [
      ['{oops', 400, 'BAD_JSON'],
      ['{"agentId": ""}', 422, 'VALIDATION_FAILED'],
      ['{"agentId": "a", "ttlSeconds": -5}', 422, 'VALIDATION_FAILED'],
      ['{"agentId": "a", "groups": ["root"]}', 422, 'VALIDATION_FAILED'],
      ['{"agentId": "a", "groups": "admins"}', 422, 'VALIDATION_FAILED'],
    ] as const) {
      const res = await fetch(`${ctx.stack.url}/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(res.status, body).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    }
  });
});
