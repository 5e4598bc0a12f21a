import { describe, expect, it } from 'vitest';
import {
  addConnection,
  chooseStatus,
  finishCall,
  newAgent,
  releaseFromOffer,
  reserve,
} from '../../functions/core/agent.ts';
import { bridgeFailed, closeOffer } from '../../functions/core/call.ts';
import { DEFAULT_SETTINGS } from '../../functions/manifest/settings.ts';
import { offeredCall, t0, world } from '../support/use-case-world.ts';

const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

describe('repairs after races and partial failures', () => {
  it('leaves the agent in wrap-up, not on a dead call, when the hang-up overtakes the accept', () => {
    const agent = reserve(
      { ...newAgent('a', { name: 'A', queues: ['q'], autoAccept: false }, t0), status: 'available' },
      { offerId: 'c.1', callId: 'c' },
      t0,
    );
    const wrapped = finishCall(agent, 'c', t0);
    expect(wrapped).toMatchObject({ status: 'wrap_up', callId: 'c', offer: undefined });
    expect(releaseFromOffer(wrapped, 'c.1', 'accepted', t0, DEFAULT_SETTINGS)).toBe(wrapped);
  });

  it('drops the offer of an agent who leaves a reservation', () => {
    const agent = reserve(
      { ...newAgent('a', { name: 'A', queues: ['q'], autoAccept: false }, t0), status: 'available' },
      { offerId: 'c.1', callId: 'c' },
      t0,
    );
    expect(chooseStatus(agent, 'offline', t0)).toMatchObject({ status: 'offline', offer: undefined });
  });

  it('ends the call on a caller hang-up whose seq is older than an event already applied', async () => {
    const w = await world();
    const { callId, offerId } = await offeredCall(w);
    await w.app.acceptOffer('a1', offerId);
    await w.app.applyCcaasEvent(callId, { seq: 7, type: 'transcript', at: t0.toISOString(), text: 'hi' });
    const { call, applied } = await w.app.applyCcaasEvent(callId, {
      seq: 6,
      type: 'caller_hangup',
      at: t0.toISOString(),
    });
    expect(applied).toBe(true);
    expect(call).toMatchObject({ status: 'completed', lastEventSeq: 7 });
    expect((await w.deps.agents.get('a1'))?.status).toBe('wrap_up');
  });

  it('never overflows an answered call, whatever a late workflow task asks', async () => {
    const w = await world();
    const { callId, offerId } = await offeredCall(w);
    await w.app.acceptOffer('a1', offerId);
    await w.app.overflowCall(callId, { Error: 'RetryableTaskError' });
    expect((await w.deps.calls.get(callId))?.status).toBe('connected');
    expect((await w.deps.workItems.list('open', { limit: 10 })).items).toEqual([]);
  });

  it('gives an answered call its interaction when the workflow that should have created it died', async () => {
    const w = await world();
    const { callId, offerId } = await offeredCall(w);
    // Accepted, then nothing: the execution that would run CreateInteraction is gone (a restart).
    await w.app.acceptOffer('a1', offerId);
    expect((await w.deps.calls.get(callId))?.interaction).toEqual({ status: 'none' });

    w.setNow(minutes(0.5));
    expect((await w.app.sweep()).interactionsCreated).toBe(0);
    w.setNow(minutes(1.5));
    const swept = await w.app.sweep();

    expect(swept.interactionsCreated).toBe(1);
    expect((await w.deps.calls.get(callId))?.interaction).toMatchObject({ status: 'created' });
    expect([...w.interactions.items.values()]).toEqual([
      expect.objectContaining({ callId, source: 'retry', agentId: 'a1' }),
    ]);
  });

  it('publishes the missed offer again when a first attempt failed after its write', async () => {
    const w = await world();
    const { callId, offerId } = await offeredCall(w);
    await w.deps.calls.update(callId, (c) => closeOffer(c, offerId, 'missed', t0, 'timeout'));
    expect(await w.app.recordMissedOffer(callId)).toEqual({ outcome: 'missed', offerId });
    expect(w.published.filter((e) => e.type === 'call.offer_missed').map((e) => e.id)).toEqual([
      `call.offer_missed:${offerId}`,
    ]);
  });

  it('stops a workflow task of an older routing round', async () => {
    const w = await world();
    const { callId } = await w.app.receiveCall({
      ccaasCallId: 'old',
      from: '+1',
      to: '+2',
      queue: 'support',
    });
    await w.deps.calls.update(callId, (c) => ({ ...c, route: 1 }));
    await expect(w.app.offerToAgent(callId, 't-old', 0)).rejects.toMatchObject({ name: 'CallEnded' });
    expect(await w.app.recordMissedOffer(callId, 0)).toEqual({ outcome: 'ended' });
    await w.app.overflowCall(callId, { Error: 'States.Timeout' }, 0);
    expect((await w.deps.calls.get(callId))?.status).toBe('queued');
  });

  it('starts the new round again when a failed bridge is reported twice', async () => {
    const w = await world(['a1', 'a2']);
    const { callId, offerId } = await offeredCall(w);
    await w.app.acceptOffer('a1', offerId);
    const event = { seq: 3, type: 'bridge_failed' as const, at: t0.toISOString() };
    expect((await w.app.applyCcaasEvent(callId, event)).applied).toBe(true);
    expect((await w.app.applyCcaasEvent(callId, event)).applied).toBe(false);
    expect(w.started.filter((s) => s.route === 1)).toHaveLength(2);
    expect((await w.deps.agents.get('a1'))?.status).toBe('available');
  });

  it('sweeps: frees an agent left on an ended call, wakes a waiting call, routes a stuck call again', async () => {
    const w = await world(['a1']);
    const { callId } = await w.app.receiveCall({
      ccaasCallId: 'stuck',
      from: '+1',
      to: '+2',
      queue: 'support',
    });
    await w.deps.agents.update('a1', (a) => ({ ...a, status: 'on_call', callId: 'gone' }));
    const waiting = await w.app.receiveCall({ ccaasCallId: 'waits', from: '+1', to: '+2', queue: 'support' });
    w.tokens.set('wait-tok', { state: 'waiting' });
    await w.deps.calls.update(waiting.callId, (c) => ({
      ...c,
      waiting: { since: t0.toISOString(), taskToken: 'wait-tok' },
    }));

    w.setNow(minutes(3));
    const result = await w.app.sweep();
    expect(result).toMatchObject({ agentsRepaired: 1, callsRerouted: 1 });
    expect((await w.deps.agents.get('a1'))?.status).toBe('wrap_up');
    expect(w.started.at(-1)).toMatchObject({ callId, route: 1 });

    await w.deps.agents.update('a1', (a) => ({ ...a, status: 'available', callId: undefined }));
    await w.app.sweep();
    expect(w.tokens.get('wait-tok')).toMatchObject({ state: 'succeeded' });
  });

  it('does not route again a call whose workflow is merely between steps', async () => {
    const w = await world([]);
    const { callId } = await w.app.receiveCall({
      ccaasCallId: 'fresh',
      from: '+1',
      to: '+2',
      queue: 'support',
    });
    w.setNow(minutes(1));
    expect((await w.app.sweep()).callsRerouted).toBe(0);
    expect((await w.deps.calls.get(callId))?.route).toBe(0);
  });

  it('closes, at the sweep, the sockets whose token has expired, and only those', async () => {
    const w = await world([]);
    await w.deps.agents.create({
      ...[
        ['c-expired', minutes(1).toISOString()],
        ['c-valid', minutes(60).toISOString()],
        ['c-no-expiry', undefined],
      ].reduce(
        (agent, [id, expiresAt]) => addConnection(agent, id as string, expiresAt),
        newAgent('a1', { name: 'a1', queues: ['support'], autoAccept: false }, t0),
      ),
      status: 'available',
    });

    expect((await w.app.sweep()).socketsExpired).toBe(0);
    w.setNow(minutes(1));
    const result = await w.app.sweep();

    expect(result).toMatchObject({ socketsExpired: 1, socketsDropped: 0 });
    expect([...w.gone]).toEqual(['c-expired']);
    const agent = await w.deps.agents.get('a1');
    expect(agent).toMatchObject({ connections: ['c-valid', 'c-no-expiry'], status: 'available' });
    expect(agent?.connectionsExpireAt).toEqual({ 'c-valid': minutes(60).toISOString() });
  });

  it('closes every socket of someone disabled or taken out of the agents group, and frees their offer', async () => {
    const w = await world(['a1', 'a2']);
    const { callId, offerId } = await offeredCall(w);
    w.notAgents.add('a1');

    const result = await w.app.sweep();

    expect(result).toMatchObject({ socketsRevoked: 1, socketsDropped: 0, socketsExpired: 0 });
    expect([...w.gone]).toEqual(['c-a1']);
    expect(await w.deps.agents.get('a1')).toMatchObject({ connections: [] });
    // Its offer, with no socket left to answer it, is revoked: the call goes on to the next agent.
    const call = await w.deps.calls.get(callId);
    expect(call?.offers.find((o) => o.offerId === offerId)?.status).toBe('revoked');
    expect(await w.deps.agents.get('a2')).toMatchObject({ connections: ['c-a2'] });
  });

  it('closes nothing while the user pool cannot be asked', async () => {
    const w = await world(['a1']);
    w.notAgents.add('a1');
    w.setDirectoryDown(true);

    expect((await w.app.sweep()).socketsRevoked).toBe(0);
    expect(await w.deps.agents.get('a1')).toMatchObject({ connections: ['c-a1'] });
  });

  it('leaves alone an agent whose call moved on a moment ago: the writer that frees it is on its way', async () => {
    const w = await world(['a1', 'a2']);
    const { callId, offerId } = await offeredCall(w);
    await w.app.acceptOffer('a1', offerId);
    // The call's half of a failed bridge is written (the call is queued again); the agent's is not yet.
    await w.deps.calls.update(callId, (c) => bridgeFailed(c, t0, 'agent phone unreachable'));

    expect((await w.app.sweep()).agentsRepaired).toBe(0);
    expect(await w.deps.agents.get('a1')).toMatchObject({ status: 'on_call', callId });

    // Still so long after, the writer is gone: the sweep frees the agent.
    w.setNow(minutes(1));
    expect((await w.app.sweep()).agentsRepaired).toBe(1);
    expect((await w.deps.agents.get('a1'))?.status).not.toBe('on_call');
  });
});
