import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { functionsTriggeredBy } from '../../functions/manifest/index.ts';
import { generateWebhookSecret } from '../../local/stack.ts';
import { getJson } from '../support/ccaas.ts';
import { useLocalStack } from '../support/stack.ts';

describe('CCaaS callbacks at the HTTP edge', () => {
  // Mid-rotation: both secrets are active. The test client signs with the first.
  const [current, next] = [generateWebhookSecret(), generateWebhookSecret()];
  const ctx = useLocalStack({ webhookSecret: `${current} ${next}` });
  const body = (ccaasCallId: string) =>
    JSON.stringify({ ccaasCallId, from: '+15550001000', to: '+15550002000', queue: 'edge' });

  async function postSigned(
    payload: string,
    {
      secret = current,
      at = new Date(),
      contentType = 'application/json',
      tamper = '',
      headers = {} as Record<string, string>,
    } = {},
  ) {
    const id = randomUUID();
    return fetch(`${ctx.stack.url}/v1/calls`, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign(id, at, payload),
        ...headers,
      },
      body: payload + tamper,
    });
  }

  const callExists = async (ccaasCallId: string) => {
    const { callIdFor } = await import('../../functions/core/call.ts');
    return (await getJson(`${ctx.stack.url}/v1/calls/${callIdFor(ccaasCallId)}`)).status === 200;
  };

  it.each([
    [
      'unsigned',
      async (p: string) =>
        fetch(`${ctx.stack.url}/v1/calls`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: p,
        }),
    ],
    ['signed with another secret', (p: string) => postSigned(p, { secret: generateWebhookSecret() })],
    ['with a tampered body', (p: string) => postSigned(p, { tamper: ' ' })],
    ['with a tampered webhook-id', (p: string) => postSigned(p, { headers: { 'webhook-id': randomUUID() } })],
    [
      'with a tampered webhook-timestamp',
      (p: string) =>
        postSigned(p, { headers: { 'webhook-timestamp': String(Math.floor(Date.now() / 1000) - 1) } }),
    ],
    [
      'with a tampered signature',
      (p: string) => postSigned(p, { headers: { 'webhook-signature': `v1,${'A'.repeat(43)}=` } }),
    ],
    ['signed six minutes ago', (p: string) => postSigned(p, { at: new Date(Date.now() - 6 * 60_000) })],
    [
      'signed six minutes in the future',
      (p: string) => postSigned(p, { at: new Date(Date.now() + 6 * 60_000) }),
    ],
  ])('refuses a callback %s with 401 and creates nothing', async (_name, send) => {
    const ccaasCallId = `edge-${randomUUID()}`;
    const res = await send(body(ccaasCallId));
    expect(res.status).toBe(401);
    const error = ((await res.json()) as { error: Record<string, string> }).error;
    expect(error).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(error.requestId).toBeTruthy();
    expect(await callExists(ccaasCallId)).toBe(false);
  });

  // The catalog's `signed` (which sets grants and docs) and the handler's shape must agree.
  it.each(functionsTriggeredBy('http').map((f) => f.trigger))(
    'answers an unsigned request to $method $path with 401 exactly when the catalog says it is signed',
    async ({ method, path, signed }) => {
      const res = await fetch(`${ctx.stack.url}${path.replace(/\{\w+\}/g, 'call_none')}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(method === 'GET' ? {} : { body: '{}' }),
      });
      expect(res.status === 401, `${method} ${path} answered ${res.status}`).toBe(Boolean(signed));
    },
  );

  it('accepts a callback signed with either secret while one is rotated out', async () => {
    for (const secret of [current, next]) {
      const ccaasCallId = `edge-${randomUUID()}`;
      const res = await postSigned(body(ccaasCallId), { secret });
      expect(res.status).toBe(202);
      expect(await callExists(ccaasCallId)).toBe(true);
    }
  });

  it('answers 422 with the failing fields for a well-signed but invalid call', async () => {
    const res = await postSigned(JSON.stringify({ ccaasCallId: 'x', from: '', queue: 'bad queue!' }));
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as { error: { code: string; details: { path: string }[] } };
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.map((d) => d.path).sort()).toEqual(['from', 'queue', 'to']);
  });

  it('answers 400 for a body that is not JSON and 415 for another media type', async () => {
    expect((await postSigned('{not json')).status).toBe(400);
    expect((await postSigned(body('edge-text'), { contentType: 'text/plain' })).status).toBe(415);
    expect(await callExists('edge-text')).toBe(false);
  });

  it('answers 413 for a body over 64 KB', async () => {
    const big = JSON.stringify({
      ccaasCallId: 'edge-big',
      from: '+1',
      to: '+2',
      queue: 'q',
      attributes: { a: 'x'.repeat(70_000) },
    });
    expect((await postSigned(big)).status).toBe(413);
  });

  it('answers 404 for an event about an unknown call and for an unknown route', async () => {
    const res = await ctx.ccaas.post('/v1/calls/call_unknown/events', {
      seq: 1,
      type: 'ended',
      at: new Date().toISOString(),
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect((await fetch(`${ctx.stack.url}/v1/nothing-here`)).status).toBe(404);
  });

  it('refuses an agent socket without a valid token', async () => {
    const WebSocket = (await import('ws')).default;
    const status = await new Promise<number | undefined>((resolve) => {
      const socket = new WebSocket(`${ctx.stack.wsUrl}?token=not-a-jwt`);
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode));
      socket.once('open', () => resolve(101));
    });
    expect(status).toBe(401);
  });

  // Oversized messages and frames: test/hostile/socket-frames.test.ts.
  it('answers unknown actions, bad JSON and wrong fields with an error and no change', async () => {
    const agent = await (await ctx.agent('edge-agent', { queues: ['edge-ws'] })).connect();
    expect(await agent.request({ action: 'dance' })).toMatchObject({ type: 'error', code: 'UNKNOWN_ACTION' });
    expect(await agent.request({ action: 'setStatus', status: 'on_call' })).toMatchObject({
      type: 'error',
      code: 'VALIDATION_FAILED',
    });
    expect(await agent.request({ action: 'accept', offerId: 'call_x.1', extra: true })).toMatchObject({
      type: 'error',
      code: 'VALIDATION_FAILED',
    });
    agent.send({ action: 'sync' });
    (agent as unknown as { socket: { send(s: string): void } }).socket.send('{oops');
    await agent.waitFor((m) => m.type === 'error' && m.code === 'BAD_JSON');
    const agents = (await getJson(`${ctx.stack.url}/v1/agents`)).body.agents;
    expect(agents.find((a: { agentId: string }) => a.agentId === 'edge-agent').status).toBe('offline');
  });

  it('validates agent profiles', async () => {
    const res = await fetch(`${ctx.stack.url}/v1/agents/a1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'A', queues: [] }),
    });
    expect(res.status).toBe(422);
  });
});
