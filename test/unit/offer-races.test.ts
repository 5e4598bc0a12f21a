import { describe, expect, it } from 'vitest';
import { addConnection, newAgent } from '../../functions/core/agent.ts';
import { OfferClosedError } from '../../functions/core/errors.ts';
import { makeUseCases } from '../../functions/core/use-cases/index.ts';
import { ACCEPT_GRACE_MS } from '../../functions/core/use-cases/record-missed-offer.ts';
import { memoryPorts } from '../support/memory-ports.ts';

async function setup() {
  const ports = memoryPorts();
  const app = makeUseCases(ports.deps);
  const now = ports.deps.clock.now();
  await ports.deps.agents.create({
    ...addConnection(newAgent('a1', { name: 'A1', queues: ['support'], autoAccept: false }, now), 'c1'),
    status: 'available',
  });
  const { callId } = await app.receiveCall({
    ccaasCallId: 'cc',
    from: '+1555',
    to: '+1666',
    queue: 'support',
  });
  ports.tokens.set('offer-token', { state: 'waiting' });
  await app.offerToAgent(callId, 'offer-token');
  const offerId = (await ports.deps.calls.get(callId))?.offers[0]?.offerId as string;
  return { ...ports, app, callId, offerId };
}

describe('races around one offer', () => {
  it('keeps the accept when it won the write but reached the workflow after the timeout', async () => {
    const { app, callId, offerId, tokens, published, agents } = await setup();
    tokens.set('offer-token', { state: 'timed_out' });
    await app.acceptOffer('a1', offerId);
    expect(await app.recordMissedOffer(callId)).toEqual({ outcome: 'accepted' });
    expect(published.map((e) => e.type)).not.toContain('call.offer_missed');
    expect((await agents.get('a1'))?.status).toBe('on_call');
  });

  it('refuses a late accept after the timeout won, and leaves the missed offer as it is', async () => {
    const { app, callId, offerId, published, agents, calls } = await setup();
    expect(await app.recordMissedOffer(callId)).toEqual({ outcome: 'missed', offerId });
    await expect(app.acceptOffer('a1', offerId)).rejects.toBeInstanceOf(OfferClosedError);
    expect((await calls.get(callId))?.offers[0]?.status).toBe('missed');
    expect((await agents.get('a1'))?.status).toBe('not_responding');
    expect(published.filter((e) => e.type === 'call.offer_missed')).toHaveLength(1);
  });

  it('records a timed-out offer missed only once its expiresAt and the grace have passed', async () => {
    const { app, callId, offerId, slept, calls } = await setup();
    const offer = (await calls.get(callId))?.offers[0];
    const left = Date.parse(offer?.expiresAt ?? '') - Date.parse('2026-03-01T12:00:00Z');

    expect(await app.recordMissedOffer(callId)).toEqual({ outcome: 'missed', offerId });
    expect(left).toBe(20_000);
    expect(slept).toEqual([left + ACCEPT_GRACE_MS]);
  });

  it('re-offers instead of marking missed when a reject won just before the timeout', async () => {
    const { app, callId, offerId, published } = await setup();
    await app.rejectOffer('a1', offerId);
    expect(await app.recordMissedOffer(callId)).toEqual({ outcome: 'requeued' });
    expect(published.map((e) => e.type)).not.toContain('call.offer_missed');
  });

  it('ends the workflow task with CallEnded when the caller hangs up during the offer', async () => {
    const { app, callId, tokens, pushed } = await setup();
    await app.applyCcaasEvent(callId, { seq: 1, type: 'caller_hangup', at: '2026-03-01T12:00:01Z' });
    expect(tokens.get('offer-token')).toEqual({ state: 'failed', error: 'CallEnded' });
    expect(pushed.at(-1)?.message).toMatchObject({ type: 'offerRevoked', reason: 'caller_hangup' });
    expect(await app.recordMissedOffer(callId)).toEqual({ outcome: 'ended' });
  });

  it('ends a queue wait with CallEnded, not a retryable error, when the caller hangs up as it begins', async () => {
    const ports = memoryPorts();
    const app = makeUseCases(ports.deps);
    const { callId } = await app.receiveCall({
      ccaasCallId: 'gone-early',
      from: '+1',
      to: '+2',
      queue: 'nobody',
    });
    const update = ports.deps.calls.update;
    // The hang-up lands between the wait's look at the call and its write.
    ports.deps.calls.update = async (id, transition) => {
      ports.deps.calls.update = update;
      await app.applyCcaasEvent(callId, { seq: 1, type: 'caller_hangup', at: '2026-03-01T12:00:01Z' });
      return update(id, transition);
    };

    await expect(app.waitForAgent(callId, 'wait-token')).rejects.toMatchObject({ name: 'CallEnded' });
  });

  it('revokes the offer at once when the agent’s last socket closes', async () => {
    const { app, callId, tokens, agents, calls } = await setup();
    await app.disconnectAgent('a1', 'c1');
    expect(tokens.get('offer-token')).toEqual({ state: 'failed', error: 'OfferRevoked' });
    expect((await calls.get(callId))?.offers[0]).toMatchObject({
      status: 'revoked',
      reason: 'agent_unreachable',
    });
    expect((await agents.get('a1'))?.status).toBe('offline');
  });
});

describe('sockets that are gone', () => {
  it('forgets a connection the gateway reports gone, and revokes an offer nobody can see', async () => {
    const ports = memoryPorts();
    for (const connectionId of ['c-ghost', 'c-alive']) ports.gone.add(connectionId);
    const app = makeUseCases(ports.deps);
    const now = ports.deps.clock.now();
    for (const agentId of ['ghost', 'alive']) {
      await ports.deps.agents.create({
        ...addConnection(
          newAgent(agentId, { name: agentId, queues: ['support'], autoAccept: false }, now),
          `c-${agentId}`,
        ),
        status: 'available',
        idleSince: agentId === 'ghost' ? '2026-01-01T00:00:00Z' : '2026-02-01T00:00:00Z',
      });
    }
    const { callId } = await app.receiveCall({ ccaasCallId: 'gone', from: '+1', to: '+2', queue: 'support' });
    ports.tokens.set('t', { state: 'waiting' });
    await expect(app.offerToAgent(callId, 't')).rejects.toMatchObject({ name: 'NoAgentAvailable' });
    const call = await ports.deps.calls.get(callId);
    expect(call?.offers.map((o) => [o.agentId, o.status, o.reason])).toEqual([
      ['ghost', 'revoked', 'agent_unreachable'],
      ['alive', 'revoked', 'agent_unreachable'],
    ]);
    expect(await ports.deps.agents.get('ghost')).toMatchObject({ connections: [], status: 'offline' });
  });

  it('forgets, at the sweep, sockets that closed unheard, and gives their agent’s offer to the next agent', async () => {
    const ports = memoryPorts();
    const app = makeUseCases(ports.deps);
    const now = ports.deps.clock.now();
    await ports.deps.agents.create({
      ...addConnection(
        addConnection(
          newAgent('restarted', { name: 'R', queues: ['support'], autoAccept: false }, now),
          'c-old',
        ),
        'c-new',
      ),
      status: 'available',
    });
    const { callId } = await app.receiveCall({
      ccaasCallId: 'unheard',
      from: '+1',
      to: '+2',
      queue: 'support',
    });
    ports.tokens.set('t', { state: 'waiting' });
    await app.offerToAgent(callId, 't');

    ports.gone.add('c-old');
    expect((await app.sweep()).socketsDropped).toBe(1);
    expect(await ports.deps.agents.get('restarted')).toMatchObject({
      connections: ['c-new'],
      status: 'reserved',
    });

    ports.gone.add('c-new');
    expect((await app.sweep()).socketsDropped).toBe(1);
    expect(await ports.deps.agents.get('restarted')).toMatchObject({ connections: [], status: 'offline' });
    expect(ports.tokens.get('t')).toEqual({ state: 'failed', error: 'OfferRevoked' });
    expect((await ports.deps.calls.get(callId))?.offers[0]).toMatchObject({
      status: 'revoked',
      reason: 'agent_unreachable',
    });
  });
});
