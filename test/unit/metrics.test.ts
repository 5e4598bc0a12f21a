import { describe, expect, it } from 'vitest';
import { callMetrics } from '../../functions/core/metrics.ts';
import type { Call } from '../../functions/core/model.ts';
import { offeredCall, t0, world } from '../support/use-case-world.ts';

const at = (s: number) => new Date(t0.getTime() + s * 1000);

describe('the metrics a change of a call makes', () => {
  it('times an offer from the start of its routing round, and an accept from the callback', async () => {
    const w = await world();
    w.setNow(at(0));
    const { callId } = await w.app.receiveCall({ ccaasCallId: 'm1', from: '+1', to: '+2', queue: 'support' });
    w.setNow(at(0.25));
    w.tokens.set('tok-m1', { state: 'waiting' });
    await w.app.offerToAgent(callId, 'tok-m1');
    expect(w.recorded).toEqual([{ name: 'TimeToOffer', value: 250 }]);

    w.setNow(at(3));
    const offerId = (await w.deps.calls.get(callId))?.offers[0]?.offerId as string;
    await w.app.acceptOffer('a1', offerId);
    expect(w.recorded.slice(1)).toEqual([
      { name: 'OfferAccepted', value: 1 },
      { name: 'TimeToAnswer', value: 3000 },
    ]);
  });

  it('counts a rejected offer once, however often the reject is sent', async () => {
    const w = await world(['a1', 'a2']);
    const { offerId } = await offeredCall(w);
    w.recorded.length = 0;

    await w.app.rejectOffer('a1', offerId);
    await w.app.rejectOffer('a1', offerId).catch(() => undefined);

    expect(w.recorded).toEqual([{ name: 'OfferRejected', value: 1 }]);
    // The offer to the next agent is no new time to offer: the caller waits from the round's start.
    const { callId } = (await w.deps.calls.get(offerId.split('.')[0] as string)) as { callId: string };
    w.tokens.set('tok-again', { state: 'waiting' });
    await w.app.offerToAgent(callId, 'tok-again');
    expect((await w.deps.calls.get(callId))?.offers).toHaveLength(2);
    expect(w.recorded.map((r) => r.name)).toEqual(['OfferRejected']);
  });

  it('counts the revoked offer and the abandoned call when the caller hangs up during an offer', async () => {
    const w = await world();
    const { callId } = await offeredCall(w);
    w.recorded.length = 0;

    await w.app.applyCcaasEvent(callId, { seq: 1, type: 'caller_hangup', at: at(5).toISOString() });
    await w.app.applyCcaasEvent(callId, { seq: 2, type: 'ended', at: at(6).toISOString() });

    expect(w.recorded.map((r) => r.name).sort()).toEqual(['CallAbandoned', 'OfferRevoked']);
  });

  it('counts a completed call once it ends', async () => {
    const w = await world();
    const { callId, offerId } = await offeredCall(w);
    await w.app.acceptOffer('a1', offerId);
    w.recorded.length = 0;

    await w.app.applyCcaasEvent(callId, { seq: 1, type: 'ended', at: at(60).toISOString() });

    expect(w.recorded).toEqual([{ name: 'CallCompleted', value: 1 }]);
  });

  it('records nothing for a change that makes no offer, closes none and ends nothing', () => {
    const call = { offers: [], status: 'queued', routedAt: t0.toISOString() } as unknown as Call;
    expect(callMetrics(call, { ...call, muted: true })).toEqual([]);
  });
});

describe('the metrics of the sweep', () => {
  it('reports the interactions owed, the oldest one’s wait, and the repairs it made', async () => {
    const w = await world();
    const { callId, offerId } = await offeredCall(w);
    await w.app.acceptOffer('a1', offerId);
    // The workflow died before creating the interaction: the sweep finds it owed, 90 s after the connect.
    const connectedAt = Date.parse((await w.deps.calls.get(callId))?.connectedAt as string);
    w.setNow(new Date(connectedAt + 90_000));
    w.recorded.length = 0;

    await w.app.sweep();

    expect(w.recorded).toEqual([
      { name: 'InteractionsPending', value: 1 },
      { name: 'OldestPendingInteractionAge', value: 90 },
      { name: 'SweeperRepairs', value: 1 },
    ]);
  });
});
