import { afterAll, describe, expect, it } from 'vitest';
import { generateWebhookSecret } from '../../local/stack.ts';
import { eventually } from '../support/poll.ts';
import { useLocalStack } from '../support/stack.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';

const secret = generateWebhookSecret();
// An external receiver (CCAAS_WEBHOOK_URL), started before the stack, which needs its URL.
const receiver = await startWebhookReceiver(secret);

/** The /dev/ccaas routes behind the simulator page, with our webhooks going to a receiver elsewhere. */
describe('the simulated CCaaS routes', () => {
  const ctx = useLocalStack({ webhookSecret: secret, ccaasWebhookUrl: receiver.url });
  afterAll(() => receiver.close());

  const post = async (path: string, body: string) => {
    const res = await fetch(`${ctx.stack.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const view = async () => (await (await fetch(`${ctx.stack.url}/dev/ccaas`)).json()) as Record<string, any>;

  it('refuses what is not a call or an event with 400, 415 or 422, and sends nothing', async () => {
    const published = ctx.stack.published.length;

    expect(await post('/dev/ccaas/calls', '{oops')).toMatchObject({
      status: 400,
      body: { error: { code: 'BAD_JSON' } },
    });
    expect(await post('/dev/ccaas/calls', JSON.stringify({ from: '+15550600001' }))).toMatchObject({
      status: 422,
      body: { error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('"queue"') } },
    });
    expect(
      await post('/dev/ccaas/calls', JSON.stringify({ from: '+1', queue: 'q', colour: 'red' })),
    ).toMatchObject({ status: 422 });
    expect(await post('/dev/ccaas/calls/call_x/events', JSON.stringify({ type: 'danced' }))).toMatchObject({
      status: 422,
      body: { error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('caller_hangup') } },
    });
    expect(await post('/dev/ccaas/calls/%E0%A4%A/events', JSON.stringify({ type: 'held' }))).toMatchObject({
      status: 400,
    });

    // What another site's page could send without a preflight is refused: not JSON, so nothing is placed.
    for (const path of ['/dev/ccaas/calls', '/dev/ccaas/calls/call_x/events']) {
      const simple = await fetch(`${ctx.stack.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ from: '+15550600002', queue: 'q', type: 'caller_hangup' }),
      });
      expect(simple.status).toBe(415);
      expect(await simple.json()).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    }

    expect((await view()).calls).toEqual([]);
    expect(ctx.stack.published.length).toBe(published);
  });

  it('hands our API’s own refusal back as it is', async () => {
    expect(
      await post(
        '/dev/ccaas/calls',
        JSON.stringify({ from: '+15550600002', queue: 'sim-e2e', priority: 11 }),
      ),
    ).toMatchObject({
      status: 422,
      body: { error: { code: 'VALIDATION_FAILED', details: [{ path: 'priority' }] } },
    });
    expect(
      await post('/dev/ccaas/calls/call_unknown/events', JSON.stringify({ type: 'held' })),
    ).toMatchObject({
      status: 404,
    });
    expect((await view()).calls).toEqual([]);
  });

  it('places a call whose webhooks go to the external receiver, and says so', async () => {
    const agent = await (await ctx.agent('sim-e2e-agent', { queues: ['sim-e2e'] })).online();

    const placed = await post('/dev/ccaas/calls', JSON.stringify({ from: '+15550600003', queue: 'sim-e2e' }));

    expect(placed).toMatchObject({ status: 202, body: { status: 'queued' } });
    const { callId } = placed.body;
    const offer = await agent.next('offer');
    expect(offer).toMatchObject({ callId, from: '+15550600003' });
    await agent.request({ action: 'accept', offerId: offer.offerId });
    const types = await eventually(
      () => {
        const received = receiver.of(callId).map((d) => d.payload.type);
        return received.includes('call.accepted') ? received : undefined;
      },
      { what: 'the webhooks at the external receiver' },
    );
    expect(types).toContain('call.offered');
    expect(receiver.of(callId).every((d) => d.verified)).toBe(true);
    expect(await view()).toMatchObject({
      externalWebhookUrl: receiver.url,
      webhooks: [],
      calls: [{ callId, from: '+15550600003', queue: 'sim-e2e', state: 'queued' }],
    });

    // An event for the call is signed and applied; our answer's hold shows in the view.
    expect(await post(`/dev/ccaas/calls/${callId}/events`, JSON.stringify({ type: 'held' }))).toMatchObject({
      status: 200,
      body: { applied: true },
    });
    expect((await view()).calls[0]).toMatchObject({ callId, held: true });
  });
});
