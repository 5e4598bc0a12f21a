import { createHmac, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { callIdFor } from '../../functions/core/call.ts';
import { generateWebhookSecret } from '../../local/stack.ts';
import { getJson } from '../support/ccaas.ts';
import { eventually } from '../support/poll.ts';
import { useLocalStack } from '../support/stack.ts';

type Headers = Record<string, string>;

/** The Standard Webhooks headers for a message, and what an attacker does with them. */
interface Message {
  id: string;
  at: Date;
  body: string;
  headers: Headers;
}

const seconds = (at: Date) => String(Math.floor(at.getTime() / 1000));

/** The bare base64 HMAC of a message under a secret, as `v1,` signatures carry it. */
function digest(secret: string, id: string, timestamp: string, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
}

/** The message signed properly, but at another time than now. */
function signedAt(m: Message, secret: string, offsetMs: number) {
  const at = new Date(m.at.getTime() + offsetMs);
  return {
    headers: {
      ...m.headers,
      'webhook-timestamp': seconds(at),
      'webhook-signature': new Webhook(secret).sign(m.id, at, m.body),
    },
  };
}

/**
 * Each way of getting a callback past the signature check without the secret (or with a stale one). Each
 * turns a well-signed message (the id, time and headers the real sender would use) into what goes on the
 * wire: the headers, and the body if it differs.
 */
const ATTACKS: [string, (m: Message, secret: string) => { headers: Headers; body?: string }][] = [
  ['unsigned', () => ({ headers: {} })],
  [
    'signed with another secret',
    (m) => ({
      headers: {
        ...m.headers,
        'webhook-signature': new Webhook(generateWebhookSecret()).sign(m.id, m.at, m.body),
      },
    }),
  ],
  ['with a tampered body', (m) => ({ headers: m.headers, body: `${m.body} ` })],
  ['with a tampered webhook-id', (m) => ({ headers: { ...m.headers, 'webhook-id': randomUUID() } })],
  [
    'with a tampered webhook-timestamp',
    (m) => ({ headers: { ...m.headers, 'webhook-timestamp': String(Number(seconds(m.at)) - 1) } }),
  ],
  [
    'with a made-up signature',
    (m) => ({ headers: { ...m.headers, 'webhook-signature': `v1,${'A'.repeat(43)}=` } }),
  ],
  ['signed six minutes ago', (m, secret) => signedAt(m, secret, -6 * 60_000)],
  ['signed six minutes in the future', (m, secret) => signedAt(m, secret, 6 * 60_000)],
  [
    'whose signature has another version than v1',
    (m, secret) => ({
      headers: { ...m.headers, 'webhook-signature': `v2,${digest(secret, m.id, seconds(m.at), m.body)}` },
    }),
  ],
  [
    'whose signature has no version',
    (m, secret) => ({
      headers: { ...m.headers, 'webhook-signature': digest(secret, m.id, seconds(m.at), m.body) },
    }),
  ],
  [
    'with its timestamp in milliseconds',
    (m) => ({ headers: { ...m.headers, 'webhook-timestamp': String(m.at.getTime()) } }),
  ],
  ['with a timestamp that is no number', (m) => ({ headers: { ...m.headers, 'webhook-timestamp': 'now' } })],
  [
    'without its webhook-id header',
    (m) => {
      const { 'webhook-id': _id, ...rest } = m.headers;
      return { headers: rest };
    },
  ],
  [
    'signed over an empty body',
    (m, secret) => ({
      headers: { ...m.headers, 'webhook-signature': new Webhook(secret).sign(m.id, m.at, '') },
    }),
  ],
  [
    'carrying the signature of another message',
    (m, secret) => ({
      headers: {
        ...m.headers,
        'webhook-signature': new Webhook(secret).sign(m.id, m.at, JSON.stringify({ other: true })),
      },
    }),
  ],
  [
    'signed with the secret as text instead of its base64 key',
    (m, secret) => ({
      headers: {
        ...m.headers,
        'webhook-signature': `v1,${createHmac('sha256', secret)
          .update(`${m.id}.${seconds(m.at)}.${m.body}`)
          .digest('base64')}`,
      },
    }),
  ],
];

describe('hostile signed callbacks', () => {
  const ctx = useLocalStack();

  function message(body: unknown, at = new Date()): Message {
    const id = `msg_${randomUUID()}`;
    const text = JSON.stringify(body);
    return {
      id,
      at,
      body: text,
      headers: {
        'webhook-id': id,
        'webhook-timestamp': seconds(at),
        'webhook-signature': new Webhook(ctx.stack.webhookSecret).sign(id, at, text),
      },
    };
  }

  const post = (path: string, headers: Headers, body: string) =>
    fetch(`${ctx.stack.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  /** A call of a queue nobody serves, once its workflow has parked it: it changes no more by itself. */
  async function waitingCall(queue: string) {
    const callId = await ctx.ccaas.newCall({ queue });
    return eventually(
      async () => {
        const call = await ctx.call(callId);
        return call.timeline.some((t: { type: string }) => t.type === 'waiting') && call;
      },
      { what: `call ${callId} waiting` },
    );
  }

  async function expectUnauthorized(res: Response) {
    expect(res.status).toBe(401);
    const { error } = (await res.json()) as { error: Record<string, string> };
    expect(error).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(error.requestId).toBeTruthy();
  }

  it.each(ATTACKS)('refuses a new call %s with 401 and creates nothing', async (_name, attack) => {
    const ccaasCallId = `hostile-${randomUUID()}`;
    const m = message({ ccaasCallId, from: '+15550001000', to: '+15550002000', queue: 'hostile' });
    const wire = attack(m, ctx.stack.webhookSecret);
    await expectUnauthorized(await post('/v1/calls', wire.headers, wire.body ?? m.body));
    expect((await getJson(`${ctx.stack.url}/v1/calls/${callIdFor(ccaasCallId)}`)).status).toBe(404);
  });

  it.each(ATTACKS)(
    'refuses a call event %s with 401 and leaves the call as it was',
    async (_name, attack) => {
      const before = await waitingCall('hostile-events');
      const callId = before.callId as string;
      const m = message({ seq: 1, type: 'ended', at: new Date().toISOString() });
      const wire = attack(m, ctx.stack.webhookSecret);
      await expectUnauthorized(await post(`/v1/calls/${callId}/events`, wire.headers, wire.body ?? m.body));
      expect(await ctx.call(callId)).toEqual(before);
    },
  );

  it('takes a message that carries a valid signature among forged ones (the control case)', async () => {
    const callId = await ctx.ccaas.newCall({ queue: 'hostile-control' });
    const m = message({ seq: 1, type: 'ended', at: new Date().toISOString() });
    const forged = new Webhook(generateWebhookSecret()).sign(m.id, m.at, m.body);
    const headers = { ...m.headers, 'webhook-signature': `${forged} ${m.headers['webhook-signature']}` };
    expect((await post(`/v1/calls/${callId}/events`, headers, m.body)).status).toBe(200);
    expect((await ctx.call(callId)).status).toBe('abandoned');
  });

  it.each([
    ['3,000 characters long', 422, 'm'.repeat(3_000)],
    ['257 characters long', 422, 'm'.repeat(257)],
    ['with a space', 422, 'msg 1'],
    ['with a non-ASCII character', 422, 'msg_é'],
    ['256 characters long (the control case)', 202, 'm'.repeat(256)],
  ])('answers a well-signed call whose webhook-id is %s with %i', async (_name, status, id) => {
    const ccaasCallId = `hostile-${randomUUID()}`;
    const body = JSON.stringify({ ccaasCallId, from: '+15550001000', to: '+15550002000', queue: 'hostile' });
    const at = new Date();
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': seconds(at),
      'webhook-signature': `v1,${digest(ctx.stack.webhookSecret, id, seconds(at), body)}`,
    };
    const res = await post('/v1/calls', headers, body);
    expect(res.status).toBe(status);
    if (status === 422) {
      expect(((await res.json()) as { error: { details: { path: string }[] } }).error.details).toEqual([
        { path: 'webhook-id', message: expect.any(String) },
      ]);
    }
    expect((await getJson(`${ctx.stack.url}/v1/calls/${callIdFor(ccaasCallId)}`)).status).toBe(
      status === 202 ? 200 : 404,
    );
  });

  it('refuses a captured callback replayed against another call, and leaves that call as it was', async () => {
    const victim = await ctx.ccaas.newCall({ queue: 'hostile-replay' });
    const before = await waitingCall('hostile-replay');
    const target = before.callId as string;
    const m = message({ seq: 1, type: 'ended', at: new Date().toISOString() });
    expect((await post(`/v1/calls/${victim}/events`, m.headers, m.body)).status).toBe(200);

    const replay = await post(`/v1/calls/${target}/events`, m.headers, m.body);
    expect(replay.status).toBe(409);
    expect(((await replay.json()) as { error: { code: string } }).error.code).toBe('WEBHOOK_ID_REUSED');
    expect(await ctx.call(target)).toEqual(before);
  });

  it('answers a captured callback replayed many times at once with its one answer, applied once', async () => {
    const callId = await ctx.ccaas.newCall({ queue: 'hostile-burst' });
    const m = message({ seq: 1, type: 'ended', at: new Date().toISOString() });
    const answers = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const res = await post(`/v1/calls/${callId}/events`, m.headers, m.body);
        return { status: res.status, body: await res.text() };
      }),
    );
    // Each gets the first answer, or (while the first is still being handled) a 409 that says to retry.
    const settled = answers.filter((a) => a.status !== 409);
    expect(settled.length).toBeGreaterThan(0);
    expect(new Set(settled.map((a) => `${a.status} ${a.body}`)).size).toBe(1);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body).toContain('REPLAY_IN_PROGRESS');
    const call = await ctx.call(callId);
    expect(call.timeline.filter((t: { type: string }) => t.type === 'abandoned').length).toBe(1);
  });
});
