import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { functionsTriggeredBy, type StaffGroup } from '../../functions/manifest/index.ts';
import { getJson } from '../support/ccaas.ts';
import { eventually } from '../support/poll.ts';
import { useLocalStack } from '../support/stack.ts';
import { tokenFor } from '../support/tokens.ts';

const STAFF_ROUTES = functionsTriggeredBy('http')
  .map((f) => f.trigger)
  .filter((route) => !route.signed);
/** A body each staff route with one would take, so that only the token decides. */
const BODIES: Record<string, unknown> = {
  'PUT /v1/agents/{agentId}': { name: 'Nobody', queues: ['perm'] },
  'POST /v1/dead-letters/redrive': {},
};
const GATEWAY_401 = { message: 'Unauthorized' };

describe('who may do what on the REST API (JWT authorizer, then the groups)', () => {
  const ctx = useLocalStack({ offerTimeoutSeconds: 1 });

  /** A request as someone: `as` is a token, or a subject and its groups. */
  async function request(
    method: string,
    path: string,
    as: string | { subject: string; groups: StaffGroup[] } | undefined,
    body?: unknown,
  ) {
    const token = typeof as === 'object' ? await tokenFor(ctx.stack.url, as.subject, as.groups) : as;
    const res = await fetch(`${ctx.stack.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }
  const as = (subject: string, ...groups: StaffGroup[]) => ({ subject, groups });
  /** An admin's and supervisor's token that has expired (it lived one second). */
  let expired: Promise<string>;
  beforeAll(() => {
    expired = tokenFor(ctx.stack.url, 'ops', ['admins', 'supervisors'], 1).then(
      (token) => new Promise((resolve) => setTimeout(() => resolve(token), 2100)),
    );
  });

  it('GET /v1/agents: no token 401, an agent 403, a supervisor 200', async () => {
    await ctx.agent('perm-listed', { queues: ['perm'] });

    expect(await request('GET', '/v1/agents', undefined)).toEqual({ status: 401, body: GATEWAY_401 });
    const agent = await request('GET', '/v1/agents', as('perm-listed', 'agents'));
    expect(agent.status).toBe(403);
    expect(agent.body.error).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('supervisors'),
    });
    expect(agent.body.error.requestId).toEqual(expect.any(String));
    const supervisor = await request('GET', '/v1/agents', as('sup-1', 'supervisors'));
    expect(supervisor.status).toBe(200);
    expect(supervisor.body.agents.map((a: { agentId: string }) => a.agentId)).toContain('perm-listed');
  });

  it.each(STAFF_ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: 401 without a valid token and 403 for someone in no group, changing nothing',
    async (key, route) => {
      const path = route.path.replace(/\{\w+\}/, 'perm-target');
      const query = route.path === '/v1/interactions' ? '?phone=%2B15550001111' : '';
      const body = BODIES[key];
      const forged = `${(await tokenFor(ctx.stack.url, 'ops', ['admins'])).slice(0, -4)}AAAA`;
      for (const token of [undefined, '', 'not-a-jwt', forged, await expired]) {
        expect(await request(route.method, path + query, token, body), String(token)).toEqual({
          status: 401,
          body: GATEWAY_401,
        });
      }
      const nobody = await request(route.method, path + query, as('perm-nobody'), body);
      expect(nobody.status).toBe(403);
      expect(nobody.body.error.code).toBe('FORBIDDEN');
      // Nothing was registered by the refused PUT.
      expect((await getJson(`${ctx.stack.url}/v1/agents/perm-target`)).status).toBe(404);
    },
  );

  it('answers CORS as the HTTP API is configured: preflights itself, and names the allowed origin', async () => {
    const origin = 'https://pages.example.com';
    const preflight = await fetch(`${ctx.stack.url}/v1/agents/anyone`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(
      Object.fromEntries([...preflight.headers].filter(([k]) => k.startsWith('access-control-'))),
    ).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET,PUT,POST',
      'access-control-allow-headers': 'authorization,content-type',
      'access-control-max-age': '3600',
    });
    const token = await tokenFor(ctx.stack.url, 'ops', ['supervisors']);
    const read = await fetch(`${ctx.stack.url}/v1/agents`, {
      headers: { origin, authorization: `Bearer ${token}` },
    });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBe('*');
    // A refusal carries it too, so the page can read why; a request naming no origin gets none.
    const refused = await fetch(`${ctx.stack.url}/v1/agents`, { headers: { origin } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
    const sameOrigin = await fetch(`${ctx.stack.url}/v1/agents`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(sameOrigin.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('admins manage agents; supervisors read and may not change them', async () => {
    const admin = as('admin-1', 'admins');
    const created = await request('PUT', '/v1/agents/perm-managed', admin, { name: 'M', queues: ['perm'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ agentId: 'perm-managed', status: 'offline', connected: false });
    expect(created.body).not.toHaveProperty('connections');
    expect((await request('GET', '/v1/agents/perm-managed', admin)).status).toBe(200);
    expect((await request('GET', '/v1/agents', admin)).status).toBe(200);

    const supervisor = as('sup-2', 'supervisors');
    const refused = await request('PUT', '/v1/agents/perm-managed', supervisor, {
      name: 'X',
      queues: ['other'],
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain('admins');
    const after = await request('GET', '/v1/agents/perm-managed', supervisor);
    expect(after).toMatchObject({ status: 200, body: { name: 'M', queues: ['perm'] } });

    // An admin reads agents, not calls, interactions or work items.
    for (const path of ['/v1/calls/call_x', '/v1/interactions/int_x', '/v1/work-items']) {
      expect((await request('GET', path, admin)).status, path).toBe(403);
    }
  });

  it('admins send dead-lettered webhooks again; supervisors and agents may not', async () => {
    const redrive = (who: ReturnType<typeof as>, body: unknown = {}) =>
      request('POST', '/v1/dead-letters/redrive', who, body);

    for (const who of [as('sup-5', 'supervisors'), as('perm-agent', 'agents')]) {
      const refused = await redrive(who);
      expect(refused.status, who.subject).toBe(403);
      expect(refused.body.error.message).toContain('admins');
    }
    expect((await redrive(as('admin-2', 'admins'), { messagesPerSecond: 0 })).status).toBe(422);
    expect(await redrive(as('admin-2', 'admins'), { messagesPerSecond: 50 })).toEqual({
      status: 202,
      body: { taskHandle: expect.any(String), messages: 0 },
    });
  });

  it('an agent reads its own record and work items, nobody else’s', async () => {
    const sleepy = await (await ctx.agent('perm-sleepy', { queues: ['perm-miss'] })).online();
    await ctx.agent('perm-other', { queues: ['perm-miss'] });
    const callId = await ctx.ccaas.newCall({ queue: 'perm-miss' });
    const offer = await sleepy.next('offer');
    await sleepy.next('offerRevoked', 5000);
    await ctx.ccaas.event(callId, 'caller_hangup');
    const self = as('perm-sleepy', 'agents');

    const own = await request('GET', '/v1/agents/perm-sleepy', self);
    expect(own).toMatchObject({ status: 200, body: { agentId: 'perm-sleepy', connected: true } });
    expect((await request('GET', '/v1/agents/perm-other', self)).status).toBe(403);
    // Whether an agent exists is not told to another agent either.
    expect((await request('GET', '/v1/agents/perm-no-such-agent', self)).status).toBe(403);

    const items = await eventually(
      async () => {
        const res = await request('GET', '/v1/work-items', self);
        return res.body.workItems?.length ? res : undefined;
      },
      { what: "the agent's missed-offer work item" },
    );
    expect(items.body.workItems).toEqual([
      expect.objectContaining({ type: 'missed_offer', offerId: offer.offerId, agentId: 'perm-sleepy' }),
    ]);
    expect((await request('GET', '/v1/work-items?agentId=perm-sleepy', self)).body).toEqual(items.body);
    expect((await request('GET', '/v1/work-items?agentId=perm-other', self)).status).toBe(403);
    // A supervisor sees it among all, and by agent.
    const supervisor = as('sup-3', 'supervisors');
    const byAgent = await request('GET', '/v1/work-items?agentId=perm-sleepy', supervisor);
    expect(byAgent.body.workItems).toEqual(items.body.workItems);
    expect((await request('GET', '/v1/work-items?agentId=perm-other', supervisor)).body.workItems).toEqual(
      [],
    );
  });

  it('an agent reads the interactions of the caller on its offered or live call, and only while it is', async () => {
    const phone = '+15550002222';
    const agent = await (await ctx.agent('perm-screen', { queues: ['perm-screen'] })).online();
    const self = as('perm-screen', 'agents');
    const byPhone = (p: string) => `/v1/interactions?phone=${encodeURIComponent(p)}`;
    // An earlier call of the same caller, answered by the agent: it leaves an interaction.
    const first = await ctx.ccaas.newCall({ queue: 'perm-screen', from: phone });
    const firstOffer = await agent.next('offer');
    await agent.request({ action: 'accept', offerId: firstOffer.offerId });
    const { interactionId } = await agent.next('interactionCreated');
    await ctx.ccaas.event(first, 'ended');
    await agent.request({ action: 'wrapUp', callId: first, disposition: 'done' });
    // Between calls: nothing.
    expect((await request('GET', byPhone(phone), self)).status).toBe(403);
    expect((await request('GET', `/v1/interactions/${interactionId}`, self)).status).toBe(403);

    // Offered a new call from the same caller: its history, the global call screen.
    await ctx.ccaas.newCall({ queue: 'perm-screen', from: phone });
    const offer = await agent.next('offer');
    const history = await request('GET', byPhone(phone), self);
    expect(history.status).toBe(200);
    expect(history.body.interactions.map((i: { interactionId: string }) => i.interactionId)).toEqual([
      interactionId,
    ]);
    expect((await request('GET', `/v1/interactions/${interactionId}`, self)).status).toBe(200);
    // Another caller's history, and a call's record: not an agent's to read.
    expect((await request('GET', byPhone('+15550009999'), self)).status).toBe(403);
    expect((await request('GET', '/v1/interactions/int_no_such', self)).status).toBe(403);
    expect((await request('GET', `/v1/calls/${offer.callId}`, self)).status).toBe(403);
    // Live: still.
    await agent.request({ action: 'accept', offerId: offer.offerId });
    await agent.next('interactionCreated');
    expect((await request('GET', byPhone(phone), self)).body.interactions).toHaveLength(2);
    // Another agent, on no call with that caller: no.
    await ctx.agent('perm-bystander', { queues: ['perm-none'] });
    expect((await request('GET', byPhone(phone), as('perm-bystander', 'agents'))).status).toBe(403);
    // A supervisor: any caller.
    expect((await request('GET', byPhone('+15550009999'), as('sup-4', 'supervisors'))).status).toBe(200);
  });

  it('opens a socket for the agents group only', async () => {
    await ctx.agent('perm-socket', { queues: ['perm'] });
    const open = async (groups: StaffGroup[]) => {
      const token = await tokenFor(ctx.stack.url, 'perm-socket', groups);
      const socket = new WebSocket(`${ctx.stack.wsUrl}?token=${token}`);
      return new Promise<number>((resolve) => {
        socket.on('open', () => {
          socket.close();
          resolve(101);
        });
        socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      });
    };

    expect(await open(['supervisors', 'admins'])).toBe(403);
    expect(await open([])).toBe(403);
    expect(await open(['agents'])).toBe(101);
  });
});
