import { describe, expect, it } from 'vitest';
import { getJson } from '../support/ccaas.ts';
import { eventually } from '../support/poll.ts';
import { useLocalStack } from '../support/stack.ts';

/** Each test routes in its own queue, so the agents of one test never see another's calls. */
describe('routing a call to agents', () => {
  const ctx = useLocalStack({ offerTimeoutSeconds: 15 });

  it('offers the call to the longest-idle agent first', async () => {
    const first = await (await ctx.agent('idle-1', { queues: ['idle'] })).online();
    const second = await (await ctx.agent('idle-2', { queues: ['idle'] })).online();
    const callId = await ctx.ccaas.newCall({ queue: 'idle' });
    expect(await first.next('offer')).toMatchObject({ callId });
    expect(second.received('offer')).toEqual([]);
  });

  it('gives a rejected call to the next agent and never back to the one who rejected it', async () => {
    const a = await (await ctx.agent('rej-a', { queues: ['rej'] })).online();
    const b = await (await ctx.agent('rej-b', { queues: ['rej'] })).online();
    const callId = await ctx.ccaas.newCall({ queue: 'rej' });

    const offerA = await a.next('offer');
    expect(await a.request({ action: 'reject', offerId: offerA.offerId, reason: 'busy' })).toMatchObject({
      type: 'ack',
    });
    const offerB = await b.next('offer');
    expect(offerB).toMatchObject({ callId });
    expect(await a.request({ action: 'setStatus', status: 'available' })).toMatchObject({ type: 'ack' });
    expect(await b.request({ action: 'reject', offerId: offerB.offerId })).toMatchObject({ type: 'ack' });

    // Both rejected: the call waits, though rej-a is available, until someone new comes.
    await eventually(async () => (await ctx.call(callId)).waiting, { what: 'the call to wait' });
    const c = await (await ctx.agent('rej-c', { queues: ['rej'] })).online();
    expect(await c.next('offer')).toMatchObject({ callId });
    expect(a.received('offer')).toHaveLength(1);
    expect(await ctx.agentStatus('rej-a')).toBe('available');
    const { offers } = await ctx.call(callId);
    expect(offers.map((o: { agentId: string; status: string }) => [o.agentId, o.status])).toEqual([
      ['rej-a', 'rejected'],
      ['rej-b', 'rejected'],
      ['rej-c', 'pending'],
    ]);
    expect(
      ctx.stack.published.filter(
        (e) => e['detail-type'] === 'call.offer_rejected' && e.detail.callId === callId,
      ),
    ).toHaveLength(2);
  });

  it('waits while no agent is free and offers the call as soon as one becomes available', async () => {
    const callId = await ctx.ccaas.newCall({ queue: 'wait' });
    await eventually(async () => (await ctx.call(callId)).waiting, { what: 'the call to wait' });
    const agent = await (await ctx.agent('wait-a', { queues: ['wait'] })).connect();
    const before = Date.now();
    await agent.request({ action: 'setStatus', status: 'available' });
    expect(await agent.next('offer')).toMatchObject({ callId });
    // "At once": well inside one offer timeout, not after some poll period.
    expect(Date.now() - before).toBeLessThan(5000);
  });

  it('revokes the offer and abandons the call when the caller hangs up during the offer', async () => {
    const agent = await (await ctx.agent('hang-a', { queues: ['hang'] })).online();
    const callId = await ctx.ccaas.newCall({ queue: 'hang' });
    const offer = await agent.next('offer');

    const res = await ctx.ccaas.event(callId, 'caller_hangup');
    expect(res.status).toBe(200);
    expect(await agent.next('offerRevoked')).toMatchObject({
      offerId: offer.offerId,
      reason: 'caller_hangup',
    });
    const ended = await ctx.call(callId);
    expect(ended).toMatchObject({ status: 'abandoned', endReason: 'caller_hangup' });
    expect(ended.offers[0]).toMatchObject({ status: 'revoked', reason: 'caller_hangup' });
    expect(await ctx.agentStatus('hang-a')).toBe('available');
    expect(ctx.published(callId, 'call.offer_revoked')).toEqual([
      expect.objectContaining({ offerId: offer.offerId, agentId: 'hang-a', reason: 'caller_hangup' }),
    ]);
    expect(await agent.request({ action: 'accept', offerId: offer.offerId })).toMatchObject({
      type: 'error',
      code: 'OFFER_CLOSED',
    });
  });

  it('abandons a waiting call when the caller hangs up, and offers it to nobody afterwards', async () => {
    const callId = await ctx.ccaas.newCall({ queue: 'hang-wait' });
    await eventually(async () => (await ctx.call(callId)).waiting, { what: 'the call to wait' });
    await ctx.ccaas.event(callId, 'caller_hangup');
    expect(await ctx.call(callId)).toMatchObject({ status: 'abandoned' });
    const agent = await (await ctx.agent('hang-wait-a', { queues: ['hang-wait'] })).online();
    await new Promise((r) => setTimeout(r, 300));
    expect(agent.received('offer')).toEqual([]);
  });

  it('makes one call of 20 concurrent duplicate callbacks', async () => {
    const agent = await (await ctx.agent('dup-a', { queues: ['dup'] })).online();
    const body = { ccaasCallId: 'dup-ccaas-1', from: '+15550002222', to: '+15550003333', queue: 'dup' };
    const answers = await Promise.all(Array.from({ length: 20 }, () => ctx.ccaas.post('/v1/calls', body)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(202));
    const ids = new Set(answers.map((a) => a.body.callId));
    expect(ids.size).toBe(1);
    const offer = await agent.next('offer');
    await new Promise((r) => setTimeout(r, 300));
    expect(agent.received('offer')).toHaveLength(1);
    expect((await ctx.call(offer.callId)).offers).toHaveLength(1);
  });

  it('refuses an agent acting on another agent’s offer, and changes nothing', async () => {
    const owner = await (await ctx.agent('own-a', { queues: ['own'] })).online();
    const other = await (await ctx.agent('own-b', { queues: ['other'] })).online();
    const callId = await ctx.ccaas.newCall({ queue: 'own' });
    const offer = await owner.next('offer');
    expect(await other.request({ action: 'accept', offerId: offer.offerId })).toMatchObject({
      type: 'error',
      code: 'FORBIDDEN',
    });
    expect(await other.request({ action: 'reject', offerId: offer.offerId })).toMatchObject({
      type: 'error',
      code: 'FORBIDDEN',
    });
    expect((await ctx.call(callId)).offers[0].status).toBe('pending');
    expect(await owner.request({ action: 'accept', offerId: offer.offerId })).toMatchObject({ type: 'ack' });
  });

  it('auto-accepts for an agent who chose it', async () => {
    const agent = await (await ctx.agent('auto-a', { queues: ['auto'], autoAccept: true })).online();
    const callId = await ctx.ccaas.newCall({ queue: 'auto' });
    expect(await agent.next('callState')).toMatchObject({ callId, state: 'connected' });
    await agent.next('interactionCreated');
    expect(await ctx.agentStatus('auto-a')).toBe('on_call');
  });

  it('ends a connected call as completed and moves the agent to wrap-up', async () => {
    const agent = await (await ctx.agent('end-a', { queues: ['end'] })).online();
    const callId = await ctx.ccaas.newCall({ queue: 'end' });
    const offer = await agent.next('offer');
    await agent.request({ action: 'accept', offerId: offer.offerId });
    const { interactionId } = await agent.next('interactionCreated');
    await new Promise((r) => setTimeout(r, 1100));
    expect((await ctx.ccaas.event(callId, 'ended')).status).toBe(200);
    expect(await ctx.call(callId)).toMatchObject({ status: 'completed', endReason: 'ended' });
    expect(await ctx.agentStatus('end-a')).toBe('wrap_up');
    const interaction = (await getJson(`${ctx.stack.url}/v1/interactions/${interactionId}`)).body;
    expect(interaction.status).toBe('closed');
    expect(interaction.phoneLog.durationSeconds).toBeGreaterThanOrEqual(1);
    expect(await agent.request({ action: 'setStatus', status: 'available' })).toMatchObject({ type: 'ack' });
    expect(await ctx.agentStatus('end-a')).toBe('available');
  });

  it('ignores a stale or repeated CCaaS event', async () => {
    const agent = await (await ctx.agent('seq-a', { queues: ['seq'] })).online();
    const callId = await ctx.ccaas.newCall({ queue: 'seq' });
    await agent.request({ action: 'accept', offerId: (await agent.next('offer')).offerId });
    await agent.next('callState');
    const at = new Date().toISOString();
    const path = `/v1/calls/${callId}/events`;
    expect((await ctx.ccaas.post(path, { seq: 5, type: 'muted', at })).body).toMatchObject({
      applied: true,
      call: { muted: true },
    });
    expect((await ctx.ccaas.post(path, { seq: 4, type: 'unmuted', at })).body).toMatchObject({
      applied: false,
      call: { muted: true },
    });
    expect((await ctx.ccaas.post(path, { seq: 5, type: 'unmuted', at })).body).toMatchObject({
      applied: false,
      call: { muted: true },
    });
    expect((await ctx.call(callId)).muted).toBe(true);
  });
});
