import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeAgentStore,
  makeCallStore,
  makeInteractionStore,
  makeWorkItemStore,
} from '../../functions/adapters/dynamo/stores.ts';
import { newAgent, reserve } from '../../functions/core/agent.ts';
import {
  closeOffer,
  endCall,
  markInteractionCreated,
  markInteractionPending,
  newCall,
  openOffer,
  startWaiting,
} from '../../functions/core/call.ts';
import { InteractionUnavailableError, NotFoundError, OfferClosedError } from '../../functions/core/errors.ts';
import { newInteraction } from '../../functions/core/interaction.ts';
import { startDynamo } from '../support/dynamo.ts';

describe('DynamoDB stores against dynalite', () => {
  let db: Awaited<ReturnType<typeof startDynamo>>;
  let calls: ReturnType<typeof makeCallStore>;
  let agents: ReturnType<typeof makeAgentStore>;
  const now = new Date('2026-01-01T10:00:00Z');
  const RETENTION_DAYS = 30;

  beforeAll(async () => {
    db = await startDynamo();
    calls = makeCallStore(
      db.doc,
      () => 'Calls',
      () => RETENTION_DAYS,
    );
    agents = makeAgentStore(db.doc, () => 'Agents');
  });
  afterAll(() => db.close());

  const offered = async (ccaasCallId: string) => {
    const { stored: call } = await calls.create(
      newCall({ ccaasCallId, from: '+1', to: '+2', queue: 'q' }, 'resiliency', now),
    );
    const { after } = await calls.update(call.callId, (c) =>
      openOffer(c, { agentId: 'a', taskToken: 't', timeoutSeconds: 20, now }),
    );
    return after;
  };

  it('creates a call once: the second create returns the stored call', async () => {
    const first = await calls.create(
      newCall({ ccaasCallId: 'dup', from: '+1', to: '+2', queue: 'q' }, 'resiliency', now),
    );
    const second = await calls.create(
      newCall({ ccaasCallId: 'dup', from: '+9', to: '+9', queue: 'other' }, 'resiliency', now),
    );
    expect(first.created).toBe(true);
    expect(second).toMatchObject({
      created: false,
      stored: { callId: first.stored.callId, from: '+1', queue: 'q' },
    });
  });

  it('gives an offer exactly one outcome when many writers race to close it', async () => {
    for (let round = 0; round < 5; round++) {
      const call = await offered(`race-${round}`);
      const offerId = call.offers[0]?.offerId as string;
      const outcomes = ['accepted', 'missed', 'rejected', 'revoked', 'accepted', 'missed'] as const;
      const results = await Promise.allSettled(
        outcomes.map((o) => calls.update(call.callId, (c) => closeOffer(c, offerId, o, now))),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(OfferClosedError);
      const stored = await calls.get(call.callId);
      expect(stored?.offers[0]?.status).toBe(
        won[0]?.status === 'fulfilled' ? won[0].value.after.offers[0]?.status : 'none',
      );
    }
  });

  it('lets only one of two calls reserve the same agent', async () => {
    await agents.create({
      ...newAgent('solo', { name: 'Solo', queues: ['q'], autoAccept: false }, now),
      status: 'available',
    });
    const results = await Promise.allSettled([
      agents.update('solo', (a) => reserve(a, { offerId: 'c1.1', callId: 'c1' }, now)),
      agents.update('solo', (a) => reserve(a, { offerId: 'c2.1', callId: 'c2' }, now)),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await agents.get('solo'))?.status).toBe('reserved');
  });

  it('lists available agents of a queue longest idle first, and only while available', async () => {
    const mk = (agentId: string, idleSince: string, queues = ['idle-q']) => ({
      ...newAgent(agentId, { name: agentId, queues, autoAccept: false }, now),
      status: 'available' as const,
      idleSince,
    });
    await agents.create(mk('late', '2026-01-01T09:59:00Z'));
    await agents.create(mk('early', '2026-01-01T09:00:00Z'));
    await agents.create(mk('elsewhere', '2026-01-01T08:00:00Z', ['other-q']));
    expect((await agents.listAvailable('idle-q')).map((a) => a.agentId)).toEqual(['early', 'late']);
    await agents.update('early', (a) => ({ ...a, status: 'away' }));
    expect((await agents.listAvailable('idle-q')).map((a) => a.agentId)).toEqual(['late']);
  });

  it('lists waiting calls of a queue, oldest first, and drops them once woken', async () => {
    const a = (
      await calls.create(newCall({ ccaasCallId: 'w1', from: '+1', to: '+2', queue: 'wq' }, 'resiliency', now))
    ).stored;
    const b = (
      await calls.create(newCall({ ccaasCallId: 'w2', from: '+1', to: '+2', queue: 'wq' }, 'resiliency', now))
    ).stored;
    await calls.update(b.callId, (c) => startWaiting(c, 'tb', new Date('2026-01-01T10:00:01Z')));
    await calls.update(a.callId, (c) => startWaiting(c, 'ta', new Date('2026-01-01T10:00:02Z')));
    expect((await calls.listWaiting('wq', 10)).map((c) => c.callId)).toEqual([b.callId, a.callId]);
    expect((await calls.get(a.callId))?.waiting).toEqual({
      since: '2026-01-01T10:00:02.000Z',
      taskToken: 'ta',
    });
  });

  it('lists the answered calls owed an interaction, whether pending or never tried, and no other', async () => {
    const answered = async (ccaasCallId: string) => {
      const call = await offered(ccaasCallId);
      const offerId = call.offers[0]?.offerId as string;
      return (await calls.update(call.callId, (c) => closeOffer(c, offerId, 'accepted', now))).after;
    };
    const neverTried = await answered('owed-none');
    const pending = await answered('owed-pending');
    await calls.update(pending.callId, (c) => markInteractionPending(c, 'CRM down', now));
    const created = await answered('owed-created');
    await calls.update(created.callId, (c) => markInteractionCreated(c, 'int_x', now));
    const unanswered = await offered('owed-unanswered');

    const owed = (await calls.listInteractionPending(100)).map((c) => c.callId);

    expect(owed).toEqual(expect.arrayContaining([neverTried.callId, pending.callId]));
    expect(owed).not.toContain(created.callId);
    expect(owed).not.toContain(unanswered.callId);
  });

  it('lets DynamoDB delete a call RETENTION_DAYS after it ended (TTL), a live call never, and reads neither TTL', async () => {
    const { stored } = await calls.create(
      newCall({ ccaasCallId: 'ttl', from: '+1', to: '+2', queue: 'q' }, 'resiliency', now),
    );
    const item = async () =>
      (await db.doc.send(new GetCommand({ TableName: 'Calls', Key: { callId: stored.callId } }))).Item;
    expect((await item())?.expiresAt).toBeUndefined();

    const endedAt = new Date(now.getTime() + 60_000);
    const { after } = await calls.update(stored.callId, (c) =>
      endCall(c, 'caller_hangup', 'caller', endedAt),
    );

    expect((await item())?.expiresAt).toBe(endedAt.getTime() / 1000 + RETENTION_DAYS * 86_400);
    expect(after).not.toHaveProperty('expiresAt');
    expect(await calls.get(stored.callId)).not.toHaveProperty('expiresAt');
  });

  it('reports a missing item as NotFoundError on update', async () => {
    await expect(calls.update('call_missing', (c) => c)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('turns an outage of the interaction store into InteractionUnavailableError', async () => {
    const interactions = makeInteractionStore(
      db.doc,
      () => 'Interactions',
      () => RETENTION_DAYS,
    );
    const call = newCall({ ccaasCallId: 'crm', from: '+1', to: '+2', queue: 'q' }, 'resiliency', now);
    db.faults.interactionStore = 'down';
    try {
      await expect(interactions.create(newInteraction(call, 'accepted', now))).rejects.toBeInstanceOf(
        InteractionUnavailableError,
      );
    } finally {
      db.faults.interactionStore = 'up';
    }
    const made = await Promise.all(
      [1, 2, 3].map(() => interactions.create(newInteraction(call, 'accepted', now))),
    );
    expect(made.filter((m) => m.created)).toHaveLength(1);
    // Kept RETENTION_DAYS after its last change (TTL).
    const { interactionId } = made[0]?.stored ?? { interactionId: '' };
    const raw = await db.doc.send(new GetCommand({ TableName: 'Interactions', Key: { interactionId } }));
    expect(raw.Item?.expiresAt).toBe(now.getTime() / 1000 + RETENTION_DAYS * 86_400);
  });

  it('creates a work item once per id and lists by status', async () => {
    const items = makeWorkItemStore(
      db.doc,
      () => 'WorkItems',
      () => RETENTION_DAYS,
    );
    const item = {
      workItemId: 'wi_1',
      type: 'callback' as const,
      status: 'open' as const,
      callId: 'c',
      queue: 'q',
      phone: '+1',
      createdAt: now.toISOString(),
      reason: 'r',
    };
    const results = await Promise.all([items.create(item), items.create(item), items.create(item)]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect((await items.list('open', { limit: 10 })).items.map((w) => w.workItemId)).toEqual(['wi_1']);
    // Kept RETENTION_DAYS from its creation (TTL), which the entity read back does not carry.
    const raw = await db.doc.send(new GetCommand({ TableName: 'WorkItems', Key: { workItemId: 'wi_1' } }));
    expect(raw.Item?.expiresAt).toBe(now.getTime() / 1000 + RETENTION_DAYS * 86_400);
    expect((await items.list('open', { limit: 10 })).items[0]).not.toHaveProperty('expiresAt');
  });
});
