import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { functionsTriggeredBy } from '../../functions/manifest/index.ts';
import { generateWebhookSecret } from '../../local/stack.ts';
import { getJson } from '../support/ccaas.ts';
import { useLocalStack } from '../support/stack.ts';
import { staffFetch } from '../support/tokens.ts';

describe('CCaaS callbacks at the HTTP edge', () => {
  // Mid-rotation: both secrets are active. The test client signs with the first.
  const [current, next] = [generateWebhookSecret(), generateWebhookSecret()];
  const ctx = useLocalStack({ webhookSecret: `${current} ${next}` });
  const body = (ccaasCallId: string) =>
    JSON.stringify({ ccaasCallId, from: '+15550001000', to: '+15550002000', queue: 'edge' });

  /** POST /v1/calls with this text as the body, signed with `secret`: for bodies a CCaaS client would not send. */
  async function postCallText(payload: string, { secret = current, contentType = 'application/json' } = {}) {
    const id = randomUUID();
    const at = new Date();
    return fetch(`${ctx.stack.url}/v1/calls`, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign(id, at, payload),
      },
      body: payload,
    });
  }

  const callExists = async (ccaasCallId: string) => {
    const { callIdFor } = await import('../../functions/core/call.ts');
    return (await getJson(`${ctx.stack.url}/v1/calls/${callIdFor(ccaasCallId)}`)).status === 200;
  };

  // Forged, stale and tampered signatures, and replays: test/hostile/signatures.test.ts.

  // The catalog's `signed` (which sets grants, the authorizer and docs) and the handler's shape must agree:
  // a signed route refuses an unsigned request itself; any other is refused by the JWT authorizer first.
  it.each(functionsTriggeredBy('http').map((f) => f.trigger))(
    'answers an unsigned request to $method $path with the signature check exactly when the catalog says it is signed',
    async ({ method, path, signed }) => {
      const res = await fetch(`${ctx.stack.url}${path.replace(/\{\w+\}/g, 'call_none')}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(method === 'GET' ? {} : { body: '{}' }),
      });
      expect(res.status, `${method} ${path}`).toBe(401);
      const body = (await res.json()) as { error?: { code: string }; message?: string };
      expect(body, `${method} ${path}`).toEqual(
        signed ? { error: expect.objectContaining({ code: 'UNAUTHORIZED' }) } : { message: 'Unauthorized' },
      );
    },
  );

  it('accepts a callback signed with either secret while one is rotated out', async () => {
    for (const secret of [current, next]) {
      const ccaasCallId = `edge-${randomUUID()}`;
      const res = await postCallText(body(ccaasCallId), { secret });
      expect(res.status).toBe(202);
      expect(await callExists(ccaasCallId)).toBe(true);
    }
  });

  it('answers 422 with the failing fields for a well-signed but invalid call', async () => {
    const res = await postCallText(JSON.stringify({ ccaasCallId: 'x', from: '', queue: 'bad queue!' }));
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as { error: { code: string; details: { path: string }[] } };
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.map((d) => d.path).sort()).toEqual(['from', 'queue', 'to']);
  });

  it('answers 400 for a body that is not JSON and 415 for another media type', async () => {
    expect((await postCallText('{not json')).status).toBe(400);
    expect((await postCallText(body('edge-text'), { contentType: 'text/plain' })).status).toBe(415);
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
    expect((await postCallText(big)).status).toBe(413);
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

  // Bad tokens: test/hostile/tokens.test.ts.
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
    const res = await staffFetch(`${ctx.stack.url}/v1/agents/a1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'A', queues: [] }),
    });
    expect(res.status).toBe(422);
  });
});
