import { randomUUID } from 'node:crypto';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runRedrive } from '../../local/redrive.ts';
import { generateWebhookSecret } from '../../local/stack.ts';
import { getJson } from '../support/ccaas.ts';
import { eventually } from '../support/poll.ts';
import { useLocalStack } from '../support/stack.ts';
import { tokenFor } from '../support/tokens.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';

const secret = generateWebhookSecret();
// Started before the stack, which needs its URL.
const receiver = await startWebhookReceiver(secret);
/** A webhook the receiver does not take is retried every second, and dead-lettered once 4 seconds old. */
const MAX_AGE_SECONDS = 4;

describe('the CCaaS integration contract', () => {
  const ctx = useLocalStack({
    webhookSecret: secret,
    ccaasWebhookUrl: receiver.url,
    webhookFirstRetrySeconds: 1,
    webhookMaxRetryDelaySeconds: 1,
    webhookMaxAgeSeconds: MAX_AGE_SECONDS,
  });
  afterEach(() => {
    receiver.state.answer = () => 200;
  });
  afterAll(() => receiver.close());

  const event = (seq: number, type: string) => ({ seq, type, at: new Date().toISOString() });
  const timelineCount = async (callId: string, type: string) =>
    (await ctx.call(callId)).timeline.filter((t: { type: string }) => t.type === type).length;
  /** GET /v1/dead-letters, the ones about one call. */
  const deadLettersOf = async (callId: string): Promise<Record<string, any>[]> =>
    (await getJson(`${ctx.stack.url}/v1/dead-letters`)).body.deadLetters.filter(
      (d: Record<string, any>) => d.event?.detail?.callId === callId,
    );
  /** The call.* and interaction.* events published about a call: what the CCaaS must receive. */
  const forCcaas = (callId: string) =>
    ctx.stack.published
      .filter((e) => /^(call|interaction)\./.test(e['detail-type']) && e.detail.callId === callId)
      .map((e) => e.detail.id as string);

  describe('replays', () => {
    it('answers a replayed webhook-id with its first answer and applies the event once', async () => {
      const { callId } = await ctx.connectedCall('replay-a', 'replay');
      const path = `/v1/calls/${callId}/events`;
      const signed = { id: `evt-${randomUUID()}`, at: new Date() };

      const body = event(100, 'held');

      const first = await ctx.ccaas.post(path, body, signed);
      const replay = await ctx.ccaas.post(path, body, signed);
      // A sender's retry signs the same message anew, with a later timestamp.
      const retry = await ctx.ccaas.post(path, body, { ...signed, at: new Date() });

      expect(first).toMatchObject({ status: 200, body: { applied: true } });
      expect(replay).toEqual(first);
      expect(retry).toEqual(first);
      expect(await timelineCount(callId, 'held')).toBe(1);
    });

    it('answers a replayed call creation with the first answer, though the call has moved on', async () => {
      await (await ctx.agent('replay-new-a', { queues: ['replay-new'], autoAccept: true })).online();
      const signed = { id: `new-${randomUUID()}`, at: new Date() };
      const body = {
        ccaasCallId: `c-${randomUUID()}`,
        from: '+15550001',
        to: '+15550002',
        queue: 'replay-new',
      };
      const first = await ctx.ccaas.post('/v1/calls', body, signed);
      await eventually(async () => (await ctx.call(first.body.callId)).status === 'connected');

      const replay = await ctx.ccaas.post('/v1/calls', body, signed);

      expect(first).toMatchObject({ status: 202, body: { status: 'queued' } });
      expect(replay).toEqual(first);
    });

    it('refuses a webhook-id reused for another request, and changes nothing', async () => {
      const { callId } = await ctx.connectedCall('reuse-a', 'reuse');
      const signed = { id: `evt-${randomUUID()}`, at: new Date() };
      await ctx.ccaas.post(`/v1/calls/${callId}/events`, event(100, 'muted'), signed);

      const other = await ctx.ccaas.post(`/v1/calls/${callId}/events`, event(101, 'held'), signed);

      expect(other).toMatchObject({ status: 409, body: { error: { code: 'WEBHOOK_ID_REUSED' } } });
      expect(await ctx.call(callId)).toMatchObject({ muted: true, held: false });
    });

    it('runs two identical callbacks that arrive together once, and gives both the same answer', async () => {
      const { callId } = await ctx.connectedCall('twice-a', 'twice');
      const signed = { id: `evt-${randomUUID()}`, at: new Date() };
      const body = event(100, 'muted');

      const [a, b] = await Promise.all([
        ctx.ccaas.post(`/v1/calls/${callId}/events`, body, signed),
        ctx.ccaas.post(`/v1/calls/${callId}/events`, body, signed),
      ]);

      // A second run would have answered applied: false (a stale seq); the replay waits for the first answer.
      expect(a).toMatchObject({ status: 200, body: { applied: true } });
      expect(b).toEqual(a);
      expect(await timelineCount(callId, 'muted')).toBe(1);
    });
  });

  it('makes one call and one workflow execution of 50 concurrent callbacks for one CCaaS call', async () => {
    const body = { ccaasCallId: `c-${randomUUID()}`, from: '+15550001', to: '+15550002', queue: 'fifty' };

    const answers = await Promise.all(Array.from({ length: 50 }, () => ctx.ccaas.post('/v1/calls', body)));

    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([202]));
    const callIds = new Set(answers.map((a) => a.body.callId));
    expect(callIds.size).toBe(1);
    const [callId] = callIds;
    expect((await getJson(`${ctx.stack.url}/v1/calls/${callId}`)).status).toBe(200);
    const sfn = new SFNClient({
      endpoint: ctx.stack.awsEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const { executions = [] } = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: ctx.stack.stateMachineArn, maxResults: 1000 }),
    );
    sfn.destroy();
    expect(executions.filter((e) => e.name?.startsWith(callId)).map((e) => e.name)).toEqual([callId]);
  });

  it('ends in the same state whether events arrive in order or shuffled and repeated', async () => {
    // Applied in seq order, a stale one ignored: the last seq of each flag decides it. Mute facts first,
    // then hold facts, so each batch's last seq decides its own flag whatever the order within the batch.
    const mutes = [
      event(1, 'muted'),
      event(2, 'unmuted'),
      event(3, 'muted'),
      event(4, 'unmuted'),
      event(5, 'muted'),
    ];
    const holds = [
      event(6, 'held'),
      event(7, 'resumed'),
      event(8, 'held'),
      event(9, 'resumed'),
      event(10, 'held'),
    ];
    // Each batch ends on a lower seq of the opposite value: applying stale events would end elsewhere.
    const shuffled = (batch: typeof mutes) => [4, 1, 3, 0, 4, 2, 1].map((i) => batch[i] as (typeof mutes)[0]);
    const deliver = async (callId: string, events: typeof mutes) => {
      const applied: boolean[] = [];
      for (const e of events) {
        const res = await ctx.ccaas.post(`/v1/calls/${callId}/events`, e);
        expect(res.status).toBe(200);
        applied.push(res.body.applied);
      }
      return applied;
    };
    const inOrder = await ctx.connectedCall('order-a', 'order-a');
    const outOfOrder = await ctx.connectedCall('order-b', 'order-b');

    expect(await deliver(inOrder.callId, mutes)).toEqual([true, true, true, true, true]);
    expect(await deliver(inOrder.callId, holds)).toEqual([true, true, true, true, true]);
    expect(await deliver(outOfOrder.callId, shuffled(mutes))).toEqual([true, ...Array(6).fill(false)]);
    expect(await deliver(outOfOrder.callId, shuffled(holds))).toEqual([true, ...Array(6).fill(false)]);

    const state = ({ status, muted, held, lastEventSeq }: Record<string, any>) => ({
      status,
      muted,
      held,
      lastEventSeq,
    });
    const expected = { status: 'connected', muted: true, held: true, lastEventSeq: 10 };
    expect(state(await ctx.call(inOrder.callId))).toEqual(expected);
    expect(state(await ctx.call(outOfOrder.callId))).toEqual(expected);
  });

  it('delivers every webhook once the receiver is back, once, signed, each retry under the same webhook-id', async () => {
    // Down for the first two attempts of every webhook.
    receiver.state.answer = (_delivery, earlier) => (earlier.length < 2 ? 503 : 200);
    const { agent, callId } = await ctx.connectedCall('back-a', 'back');
    await agent.request({ action: 'hangup', callId });

    const ids = await eventually(
      () => {
        const published = forCcaas(callId);
        const delivered = receiver.of(callId).filter((d) => d.status === 200);
        return published.length >= 4 && published.every((id) => delivered.some((d) => d.webhookId === id))
          ? published
          : undefined;
      },
      { what: 'every webhook of the call delivered' },
    );

    expect(receiver.of(callId).every((d) => d.verified)).toBe(true);
    for (const id of ids) {
      const attempts = receiver.of(callId).filter((d) => d.webhookId === id);
      // Taken once: the outbox drops a webhook the receiver took.
      expect(
        attempts.map((d) => d.status),
        id,
      ).toEqual([503, 503, 200]);
      expect(new Set(attempts.map((d) => JSON.stringify(d.payload))).size, id).toBe(1);
      expect(attempts[0]?.payload).toMatchObject({ id, data: { callId } });
    }
    const types = receiver.of(callId).map((d) => d.payload.type);
    expect(types).toEqual(
      expect.arrayContaining(['call.offered', 'call.accepted', 'call.control', 'call.ended']),
    );
    expect(await deadLettersOf(callId)).toEqual([]);
  });

  it('dead-letters a refused webhook at once and the others at the maximum age, routes the call all the same, and a redrive delivers them', async () => {
    // Refuses the accept for good (422), and is down for everything else about the call.
    receiver.state.answer = (delivery) => (delivery.payload.type === 'call.accepted' ? 422 : 503);
    const agent = await (await ctx.agent('dead-a', { queues: ['dead'] })).online();
    const callId = await ctx.ccaas.newCall({ queue: 'dead' });

    const offer = await agent.next('offer');
    await agent.request({ action: 'accept', offerId: offer.offerId });
    await agent.waitFor((m) => m.type === 'callState' && m.state === 'connected');
    expect(await ctx.call(callId)).toMatchObject({ status: 'connected', agentId: 'dead-a' });

    const dead = await eventually(
      async () => {
        const letters = await deadLettersOf(callId);
        const ids = forCcaas(callId);
        return ids.length >= 3 && letters.length === ids.length ? letters : undefined;
      },
      { what: 'the webhooks of the call dead-lettered' },
    );
    const attemptsOf = (id: string) => receiver.of(callId).filter((d) => d.webhookId === id);
    for (const letter of dead) {
      const tried = attemptsOf(letter.event.detail.id);
      expect(letter).toMatchObject({
        rule: 'ccaasNotifications',
        queue: 'CcaasNotificationsDeadLetters',
        attempts: tried.length,
      });
      if (letter.event['detail-type'] === 'call.accepted') {
        // Refused: not tried again.
        expect(letter.error).toMatch(/^WebhookRejected: .* 422/);
        expect(tried.map((d) => d.status)).toEqual([422]);
      } else {
        // Down: tried every second until the maximum age, then set aside.
        expect(letter.error).toMatch(/^WebhookDeliveryFailed: .* 503/);
        expect(tried.length).toBeGreaterThanOrEqual(3);
        expect(tried.every((d) => d.status === 503)).toBe(true);
      }
    }

    // The CCaaS is back; a supervisor may not send them again, an admin may (npm run redrive).
    receiver.state.answer = () => 200;
    const supervisor = await fetch(`${ctx.stack.url}/v1/dead-letters/redrive`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await tokenFor(ctx.stack.url, 'sup', ['supervisors'])}`,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    expect(supervisor.status).toBe(403);
    const printed: string[] = [];
    const output = { out: (line: string) => printed.push(line), err: (line: string) => printed.push(line) };
    expect(await runRedrive(['--url', ctx.stack.url, '--rate', '0'], {}, output)).toBe(2);
    expect(printed[0]).toContain('--rate must be a whole number');
    expect(await deadLettersOf(callId)).toHaveLength(dead.length);
    printed.length = 0;
    expect(await runRedrive(['--url', ctx.stack.url, '--rate', '50'], {}, output)).toBe(0);
    const [status, answer] = (printed[0] ?? '').split(/ (.*)/);
    expect(status).toBe('202');
    expect(JSON.parse(answer as string)).toEqual({
      taskHandle: expect.any(String),
      messages: expect.any(Number),
    });
    expect(JSON.parse(answer as string).messages).toBeGreaterThanOrEqual(dead.length);

    await eventually(
      async () =>
        dead.every((letter) => attemptsOf(letter.event.detail.id).at(-1)?.status === 200) &&
        (await deadLettersOf(callId)).length === 0,
      { what: 'the dead letters delivered' },
    );
    for (const letter of dead) {
      const tried = attemptsOf(letter.event.detail.id);
      // Delivered once more, the same webhook under the same id.
      expect(tried.filter((d) => d.status === 200)).toHaveLength(1);
      expect(new Set(tried.map((d) => JSON.stringify(d.payload))).size).toBe(1);
    }
  });

  it('dead-letters at once a message of the outbox that is no bus event, with why', async () => {
    const sqs = new SQSClient({
      endpoint: ctx.stack.awsEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await sqs.send(
      new SendMessageCommand({ QueueUrl: ctx.stack.queues.webhookOutbox.url, MessageBody: 'not an event' }),
    );
    sqs.destroy();

    const letter = await eventually(() => ctx.stack.deadLetters.find((d) => d.event === 'not an event'), {
      what: 'the message dead-lettered',
    });
    expect(letter).toMatchObject({
      queue: 'CcaasNotificationsDeadLetters',
      rule: 'ccaasNotifications',
      attempts: 1,
      error: expect.stringMatching(/^InvalidMessage: /),
    });
  });
});
