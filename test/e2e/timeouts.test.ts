import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { getJson } from '../support/ccaas.ts';
import { eventually } from '../support/poll.ts';
import { useLocalStack } from '../support/stack.ts';

describe('offer timeouts and queue time', () => {
  const ctx = useLocalStack({ offerTimeoutSeconds: 1, maxQueueSeconds: 4 });
  const agents = async () =>
    (await getJson(`${ctx.stack.url}/v1/agents?limit=1000`)).body.agents as {
      agentId: string;
      status: string;
    }[];
  const workItems = async () =>
    (await getJson(`${ctx.stack.url}/v1/work-items?status=open`)).body.workItems as Record<string, any>[];

  it('records a missed offer with an interaction and a work item, sets the agent not_responding, and offers the next agent', async () => {
    const sleepy = await (await ctx.agent('miss-a', { queues: ['miss'] })).online();
    const next = await (await ctx.agent('miss-b', { queues: ['miss'] })).online();
    const phone = '+15550004444';
    const callId = await ctx.ccaas.newCall({ queue: 'miss', from: phone });

    const missed = await sleepy.next('offer');
    expect(await sleepy.next('offerRevoked', 5000)).toMatchObject({
      offerId: missed.offerId,
      reason: 'timeout',
    });
    const offer = await next.next('offer', 5000);
    expect(offer).toMatchObject({ callId });
    // The next agent answers at once (the offers here time out after a second).
    expect(await next.request({ action: 'accept', offerId: offer.offerId })).toMatchObject({ type: 'ack' });
    expect((await agents()).find((a) => a.agentId === 'miss-a')?.status).toBe('not_responding');

    const item = await eventually(async () => (await workItems()).find((w) => w.offerId === missed.offerId), {
      what: 'the missed-offer work item',
    });
    expect(item).toMatchObject({ type: 'missed_offer', callId, agentId: 'miss-a', status: 'open' });
    const interactions = (
      await getJson(`${ctx.stack.url}/v1/interactions?phone=${encodeURIComponent(phone)}`)
    ).body.interactions;
    expect(interactions).toHaveLength(1);
    expect(interactions[0]).toMatchObject({
      interactionId: item.interactionId,
      callId,
      source: 'missed_offer',
    });
    // Its creation is published once, like any interaction's (the CCaaS and the CRM hear of it).
    await eventually(() => ctx.published(callId, 'interaction.created').length > 0 || undefined);
    expect(ctx.published(callId, 'interaction.created')).toEqual([
      expect.objectContaining({ interactionId: item.interactionId, source: 'missed_offer' }),
    ]);

    // The same interaction is kept for the answered call, now with who answered.
    expect(await next.waitFor((m) => m.type === 'interactionCreated')).toMatchObject({
      interactionId: item.interactionId,
    });
    const after = (await getJson(`${ctx.stack.url}/v1/interactions/${item.interactionId}`)).body;
    expect(after).toMatchObject({ agentId: 'miss-b', phoneLog: { agentId: 'miss-b' } });
    // A missed agent is not offered calls until it sets itself available.
    expect(sleepy.received('offer')).toHaveLength(1);
  });

  it('makes exactly one work item per missed offer, however often the event is delivered', async () => {
    const agent = await (await ctx.agent('once-a', { queues: ['once'] })).online();
    const callId = await ctx.ccaas.newCall({ queue: 'once' });
    const offer = await agent.next('offer');
    await agent.next('offerRevoked', 5000);
    const event = await eventually(() =>
      ctx.stack.published.find(
        (e) => e['detail-type'] === 'call.offer_missed' && e.detail.offerId === offer.offerId,
      ),
    );
    // Deliver the very same event twice more, at once, as EventBridge may.
    const bus = new EventBridgeClient({
      endpoint: ctx.stack.awsEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const again = {
      EventBusName: ctx.stack.eventBusName,
      Source: event.source,
      DetailType: event['detail-type'],
      Detail: JSON.stringify(event.detail),
    };
    await Promise.all([1, 2].map(() => bus.send(new PutEventsCommand({ Entries: [again] }))));
    bus.destroy();
    await ctx.stack.eventsSettled();
    const published = ctx.stack.published.filter(
      (e) => e['detail-type'] === 'call.offer_missed' && e.detail.offerId === offer.offerId,
    );
    expect(published).toHaveLength(3);
    expect(ctx.stack.deadLetters).toEqual([]);
    expect((await workItems()).filter((w) => w.callId === callId && w.type === 'missed_offer')).toHaveLength(
      1,
    );
  });

  it('accepts an offer answered just before the expiresAt the agent was shown', async () => {
    const agent = await (await ctx.agent('last-moment', { queues: ['last-moment'] })).online();
    for (let round = 0; round < 5; round++) {
      await ctx.ccaas.newCall({ queue: 'last-moment' });
      const offer = await agent.next('offer');
      const lastMoment = Date.parse(offer.expiresAt) - 5 - Date.now();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastMoment)));

      const answer = await agent.request({ action: 'accept', offerId: offer.offerId });

      expect(answer, `round ${round}`).toMatchObject({ type: 'ack' });
      await agent.next('callState');
      await agent.request({ action: 'hangup', callId: offer.callId });
      await agent.request({ action: 'setStatus', status: 'available' });
    }
  });

  it('overflows a call after the maximum queue time, with one callback work item', async () => {
    const callId = await ctx.ccaas.newCall({ queue: 'nobody-home' });
    const ended = await eventually(
      async () => {
        const c = await ctx.call(callId);
        return c.status === 'overflowed' ? c : undefined;
      },
      { timeoutMs: 15_000, what: 'the call to overflow' },
    );
    expect(ended.endReason).toBe('max_queue_time');
    const callbacks = (await workItems()).filter((w) => w.callId === callId);
    expect(callbacks).toEqual([
      expect.objectContaining({ type: 'callback', phone: '+15551230000', queue: 'nobody-home' }),
    ]);
    expect(
      ctx.stack.published.filter((e) => e['detail-type'] === 'call.overflowed' && e.detail.callId === callId),
    ).toHaveLength(1);
  });

  it('gives every offer exactly one outcome when accepts race the timeout', async () => {
    const n = 10;
    const racers = await Promise.all(
      Array.from({ length: n }, async (_, i) =>
        (await ctx.agent(`race-${i}`, { queues: [`race-${i}`] })).online(),
      ),
    );
    const callIds = await Promise.all(racers.map((_, i) => ctx.ccaas.newCall({ queue: `race-${i}` })));
    // Each agent accepts at a different moment around its offer's expiry, some before and some after.
    await Promise.all(
      racers.map(async (agent, i) => {
        const offer = await agent.next('offer');
        const delay = Date.parse(offer.expiresAt) - Date.now() - 400 + i * 45;
        await new Promise((r) => setTimeout(r, Math.max(0, delay)));
        agent.send({ action: 'accept', offerId: offer.offerId, requestId: 'race' });
      }),
    );
    await new Promise((r) => setTimeout(r, 2500));
    const all = await agents();
    for (const [i, callId] of callIds.entries()) {
      const c = await ctx.call(callId);
      const first = c.offers[0];
      const agent = all.find((a) => a.agentId === `race-${i}`);
      const reply = racers[i]?.messages.find((m) => m.requestId === 'race');
      if (first.status === 'accepted') {
        expect(reply?.type).toBe('ack');
        expect(c.status).toBe('connected');
        expect(c.offers).toHaveLength(1);
        expect(agent?.status).toBe('on_call');
      } else {
        expect(first.status).toBe('missed');
        expect(reply).toMatchObject({ type: 'error', code: 'OFFER_CLOSED' });
        expect(c.status).not.toBe('connected');
        expect(agent?.status).toBe('not_responding');
      }
    }
  });
});
