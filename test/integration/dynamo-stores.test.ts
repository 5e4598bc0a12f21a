import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeAgentStore,
  makeCallStore,
  makeInteractionStore,
  makeWorkItemStore,
} from '../../functions/adapters/dynamo/stores.ts';
import { newAgent, reserve } from '../../functions/core/agent.ts';
import {
  acceptSeq,
  addConversation,
  appendTimeline,
  closeOffer,
  endCall,
  markInteractionCreated,
  markInteractionPending,
  newCall,
  openOffer,
  startWaiting,
  stopWaiting,
} from '../../functions/core/call.ts';
import {
  InteractionUnavailableError,
  InvalidCursorError,
  NotFoundError,
  OfferClosedError,
} from '../../functions/core/errors.ts';
import { callFacts, newInteraction, syncWithCall } from '../../functions/core/interaction.ts';
import type { Call } from '../../functions/core/model.ts';
import { startDynamo } from '../support/dynamo.ts';

describe('DynamoDB stores against dynalite', () => {
  let db: Awaited<ReturnType<typeof startDynamo>>;
  let calls: ReturnType<typeof makeCallStore>;
  let agents: ReturnType<typeof makeAgentStore>;
  const now = new Date('2026-01-01T10:00:00Z');
  const RETENTION_DAYS = 30;
  /** While set, every write of a call's entries fails, as if the table were unreachable. */
  let stopBeforeEntries = false;
  const warnings: string[] = [];
  /** The requests the call and agent stores sent, by command name (`GetCommand`, `PutCommand`...). */
  const sent: string[] = [];

  beforeAll(async () => {
    db = await startDynamo();
    // The document client, but for the writes of a call's entries while `stopBeforeEntries` is set.
    const stoppable = {
      send: (command: { input: { TableName?: string } }) => {
        sent.push(command.constructor.name);
        return stopBeforeEntries && command instanceof PutCommand && command.input.TableName === 'CallEntries'
          ? Promise.reject(new Error('stopped before the entries'))
          : db.doc.send(command as never);
      },
    } as unknown as typeof db.doc;
    calls = makeCallStore(
      stoppable,
      { calls: () => 'Calls', callEntries: () => 'CallEntries' },
      () => RETENTION_DAYS,
      { warn: (message) => void warnings.push(message) },
    );
    agents = makeAgentStore(stoppable, () => 'Agents');
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

  it('lists waiting calls of a queue in queue order (priority, then arrival), and drops them once woken', async () => {
    const received = async (ccaasCallId: string, second: number, priority?: number) =>
      (
        await calls.create(
          newCall(
            { ccaasCallId, from: '+1', to: '+2', queue: 'wq', priority },
            'resiliency',
            new Date(`2026-01-01T10:00:0${second}Z`),
          ),
        )
      ).stored;
    const a = await received('w1', 1);
    const b = await received('w2', 2);
    const urgent = await received('w3', 3, 10);
    // Parked in another order than they arrived: the arrival decides.
    await calls.update(b.callId, (c) => startWaiting(c, 'tb', new Date('2026-01-01T10:00:04Z')));
    await calls.update(urgent.callId, (c) => startWaiting(c, 'tu', new Date('2026-01-01T10:00:05Z')));
    await calls.update(a.callId, (c) => startWaiting(c, 'ta', new Date('2026-01-01T10:00:06Z')));
    expect((await calls.listWaiting('wq', 10)).map((c) => c.callId)).toEqual([
      urgent.callId,
      a.callId,
      b.callId,
    ]);
    expect((await calls.listWaiting('wq', 1)).map((c) => c.callId)).toEqual([urgent.callId]);
    expect(await calls.get(a.callId)).toMatchObject({
      priority: 0,
      waiting: { since: '2026-01-01T10:00:06.000Z', taskToken: 'ta' },
    });
    await calls.update(urgent.callId, (c) => stopWaiting(c, new Date('2026-01-01T10:00:07Z'), 'a1'));
    expect((await calls.listWaiting('wq', 10)).map((c) => c.callId)).toEqual([a.callId, b.callId]);
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

  /** The items of a call's entries as stored, in key order. */
  const storedEntries = async (callId: string) =>
    (
      await db.doc.send(
        new QueryCommand({
          TableName: 'CallEntries',
          KeyConditionExpression: 'callId = :c',
          ExpressionAttributeValues: { ':c': callId },
        }),
      )
    ).Items ?? [];
  const rawCall = async (callId: string) =>
    (await db.doc.send(new GetCommand({ TableName: 'Calls', Key: { callId } }))).Item;
  const transcript = (seq: number, text: string) => (c: Call) => {
    const sequenced = acceptSeq(c, seq);
    return sequenced
      ? addConversation(sequenced, { at: now.toISOString(), kind: 'transcript', by: 'ccaas', text }, now)
      : c;
  };
  const received = async (ccaasCallId: string) =>
    (await calls.create(newCall({ ccaasCallId, from: '+1', to: '+2', queue: 'q' }, 'resiliency', now)))
      .stored;

  it('keeps a call of any length: more text than one item holds, each entry an item of its own', async () => {
    const call = await received('long');
    const segment = 'x'.repeat(16_000);
    // 40 segments of 16 KB: 640 KB, past DynamoDB's (and dynalite's) 400 KB item limit.
    for (let seq = 1; seq <= 40; seq++) await calls.update(call.callId, transcript(seq, `${seq} ${segment}`));

    const { after } = await calls.update(call.callId, (c) => endCall(c, 'ended', 'ccaas', now));

    expect(after).toMatchObject({ status: 'abandoned', lastEventSeq: 40, entryCount: 42 });
    // Each 16 KB segment moved itself (and what was before it) out; the last, small entry stays on the call.
    expect((await rawCall(call.callId))?.newEntries.map((e: { n: number }) => e.n)).toEqual([42]);
    expect((await storedEntries(call.callId)).map((i) => i.entry)).toEqual([
      ...Array.from({ length: 40 }, (_, i) => `conversation#${String(i + 2).padStart(10, '0')}`),
      'timeline#0000000001',
    ]);
    const timeline = await calls.listEntries(after, 'timeline', { limit: 10 });
    expect(timeline.items.map((e) => e.type)).toEqual(['received', 'abandoned']);
  });

  it('lists a call’s entries as the call was read, never one a later change added', async () => {
    const call = await received('snapshot');
    const { after: read } = await calls.update(call.callId, transcript(1, 'first'));
    await calls.update(call.callId, transcript(2, 'second'));
    const { after: latest } = await calls.update(call.callId, (c) => endCall(c, 'ended', 'ccaas', now));

    const texts = async (c: Call) =>
      (await calls.listEntries(c, 'conversation', { limit: 100 })).items.map((e) => e.text);
    expect(await texts(read)).toEqual(['first']);
    expect((await calls.listEntries(read, 'timeline', { limit: 100 })).items.map((e) => e.type)).toEqual([
      'received',
    ]);
    expect(await texts(latest)).toEqual(['first', 'second']);
  });

  it('pages a list past DynamoDB’s 1 MB, oldest first, and refuses a cursor of another list or call', async () => {
    const call = await received('paged');
    for (let seq = 1; seq <= 80; seq++) {
      await calls.update(call.callId, transcript(seq, `${seq} ${'y'.repeat(15_000)}`));
    }
    const stored = (await calls.get(call.callId)) as Call;

    const first = await calls.listEntries(stored, 'conversation', { limit: 1000 });
    const pages = [first];
    while (pages.at(-1)?.cursor) {
      pages.push(
        await calls.listEntries(stored, 'conversation', { limit: 1000, cursor: pages.at(-1)?.cursor }),
      );
    }

    expect(first.items.length).toBeLessThan(80);
    const texts = pages.flatMap((p) => p.items.map((e) => Number(e.text.split(' ')[0])));
    expect(texts).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    await expect(
      calls.listEntries(stored, 'timeline', { limit: 10, cursor: first.cursor }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(
      calls.listEntries(await received('other'), 'conversation', { limit: 10, cursor: first.cursor }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('reads a call stored before its entries had items of their own, and keeps them as entries at its next change', async () => {
    const fresh = await received('old-shape');
    const {
      entryCount: _count,
      newEntries: _new,
      ...rest
    } = (await rawCall(fresh.callId)) as Record<string, any>;
    const at = now.toISOString();
    // The shape calls had before: the timeline and the conversation inside the call item.
    await db.doc.send(
      new PutCommand({
        TableName: 'Calls',
        Item: {
          ...rest,
          timeline: [
            { at, type: 'received', detail: 'queue q' },
            { at, type: 'offered', detail: 'a1' },
          ],
          conversation: [{ at, kind: 'transcript', by: 'ccaas', text: 'hello' }],
        },
      }),
    );

    const old = (await calls.get(fresh.callId)) as Call;
    expect((await calls.listEntries(old, 'timeline', { limit: 10 })).items.map((e) => e.type)).toEqual([
      'received',
      'offered',
    ]);
    const { after } = await calls.update(fresh.callId, transcript(1, 'again'));
    expect(after.entryCount).toBe(4);
    expect((await calls.listEntries(after, 'conversation', { limit: 10 })).items.map((e) => e.text)).toEqual([
      'hello',
      'again',
    ]);
    const item = (await rawCall(fresh.callId)) as Record<string, unknown>;
    expect(item).not.toHaveProperty('timeline');
    expect(item).not.toHaveProperty('conversation');
    expect((item.newEntries as { n: number }[]).map((e) => e.n)).toEqual([1, 2, 3, 4]);
  });

  it('writes a usual call’s changes as one item each: its entries stay on the call until they take 4 KB', async () => {
    const call = await received('buffered');
    for (let seq = 1; seq <= 3; seq++) await calls.update(call.callId, transcript(seq, `short ${seq}`));
    expect(await storedEntries(call.callId)).toEqual([]);

    const { after } = await calls.update(call.callId, transcript(4, `long ${'z'.repeat(5_000)}`));

    // The entries committed before this change moved out; its own stays on the call until a later one.
    expect(after.newEntries.map((e) => e.n)).toEqual([5]);
    expect((await storedEntries(call.callId)).map((i) => i.entry)).toEqual([
      'conversation#0000000002',
      'conversation#0000000003',
      'conversation#0000000004',
      'timeline#0000000001',
    ]);
    const texts = (await calls.listEntries(after, 'conversation', { limit: 10 })).items.map((e) =>
      e.text.slice(0, 7),
    );
    expect(texts).toEqual(['short 1', 'short 2', 'short 3', 'long zz']);
  });

  it('loses no entry when they cannot be stored: the change stands, reads show them, a later change stores them once', async () => {
    const call = await received('stopped');
    const big = (seq: number, text: string) => transcript(seq, `${text} ${'k'.repeat(5_000)}`);
    stopBeforeEntries = true;
    try {
      // The change is made, and said so: what follows it (pushes, events, callbacks) runs.
      expect((await calls.update(call.callId, big(1, 'kept'))).changed).toBe(true);
    } finally {
      stopBeforeEntries = false;
    }
    expect(warnings).toEqual(['entries of a call left on it for its next change']);
    const stopped = (await calls.get(call.callId)) as Call;
    expect(stopped.lastEventSeq).toBe(1);
    expect(await storedEntries(call.callId)).toEqual([]);
    const first = (await calls.listEntries(stopped, 'conversation', { limit: 10 })).items;
    expect(first.map((e) => e.text.slice(0, 4))).toEqual(['kept']);

    // The CCaaS's retry is stale now; two changes race, and whichever writes moves them out.
    expect((await calls.update(call.callId, big(1, 'kept'))).changed).toBe(false);
    await Promise.all([
      calls.update(call.callId, big(2, 'next')),
      calls.update(call.callId, (c) => appendTimeline(c, now, { type: 'bridged' })),
    ]);

    const read = (await calls.get(call.callId)) as Call;
    const stored = (await storedEntries(call.callId)).map((i) => i.entry);
    expect(read.entryCount).toBe(4);
    // Only committed entries were stored: each number is the entry the call item committed, whoever won.
    expect(stored).toContain('conversation#0000000002');
    const numbers = new Set([
      ...stored.map((key) => Number(key.split('#')[1])),
      ...read.newEntries.map((e) => e.n),
    ]);
    expect([...numbers].sort((a, b) => a - b)).toEqual([1, 2, 3, 4]);
    // Each list shows each of its entries once, the racers' both: nothing lost, nothing twice.
    const texts = (await calls.listEntries(read, 'conversation', { limit: 10 })).items;
    expect(texts.map((e) => e.text.slice(0, 4))).toEqual(['kept', 'next']);
    const timeline = (await calls.listEntries(read, 'timeline', { limit: 10 })).items;
    expect(timeline.map((e) => e.type)).toEqual(['received', 'bridged']);
    expect(
      (await calls.listEntries(read, 'conversation', { limit: 1 })).items.map((e) => e.text.slice(0, 4)),
    ).toEqual(['kept']);
  });

  it('stores only committed entries when two changes with a full buffer race: no entry lost or listed twice', async () => {
    for (let round = 0; round < 5; round++) {
      const call = await received(`buffer-race-${round}`);
      await calls.update(call.callId, transcript(1, `first ${'f'.repeat(5_000)}`));
      await Promise.all([
        calls.update(call.callId, transcript(2, `second ${'s'.repeat(5_000)}`)),
        calls.update(call.callId, (c) => appendTimeline(c, now, { type: 'bridged' })),
        calls.update(call.callId, (c) => appendTimeline(c, now, { type: 'held' })),
      ]);
      const read = (await calls.get(call.callId)) as Call;
      const conversation = (await calls.listEntries(read, 'conversation', { limit: 10 })).items;
      expect(conversation.map((e) => e.text.split(' ')[0])).toEqual(['first', 'second']);
      const timeline = (await calls.listEntries(read, 'timeline', { limit: 10 })).items.map((e) => e.type);
      expect([...timeline].sort()).toEqual(['bridged', 'held', 'received']);
      expect(read.entryCount).toBe(5);
    }
  });

  it('writes with the entity in hand without reading it, and re-reads only when it turns out stale', async () => {
    const call = await received('in-hand');
    sent.length = 0;
    const { after: first } = await calls.update(call.callId, transcript(1, 'one'), call);
    const { after: second } = await calls.update(call.callId, transcript(2, 'two'), first);
    expect(sent).toEqual(['PutCommand', 'PutCommand']);

    // `first` is stale now: its write fails its condition, then the change is applied to what is stored.
    sent.length = 0;
    const { after: third } = await calls.update(call.callId, transcript(3, 'three'), first);
    expect(sent).toEqual(['PutCommand', 'GetCommand', 'PutCommand']);
    expect(third.entryCount).toBe(second.entryCount + 1);
    const texts = (await calls.listEntries(third, 'conversation', { limit: 10 })).items.map((e) => e.text);
    expect(texts).toEqual(['one', 'two', 'three']);

    // An object the store never returned has no known version: it is read first.
    sent.length = 0;
    await calls.update(call.callId, transcript(4, 'four'), { ...third });
    expect(sent).toEqual(['GetCommand', 'PutCommand']);
  });

  it('lets DynamoDB delete a call’s entries RETENTION_DAYS and a day after the call was received (TTL)', async () => {
    const call = await received('ttl-entries');
    const hello = `hello ${'h'.repeat(5_000)}`;
    const { after } = await calls.update(call.callId, transcript(1, hello));

    const entries = await storedEntries(call.callId);

    expect(entries.map((i) => i.expiresAt)).toEqual(
      entries.map(() => now.getTime() / 1000 + (RETENTION_DAYS + 1) * 86_400),
    );
    expect((await calls.listEntries(after, 'conversation', { limit: 10 })).items[0]).toEqual({
      at: now.toISOString(),
      kind: 'transcript',
      by: 'ccaas',
      text: hello,
    });
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

  it('writes a call’s facts over its interaction in one request, no read, as syncWithCall would', async () => {
    const requests: string[] = [];
    const counted = {
      send: (command: object) => {
        requests.push(command.constructor.name);
        return db.doc.send(command as never);
      },
    } as unknown as typeof db.doc;
    const interactions = makeInteractionStore(
      counted,
      () => 'Interactions',
      () => RETENTION_DAYS,
    );
    const received = newCall({ ccaasCallId: 'facts', from: '+1', to: '+2', queue: 'q' }, 'resiliency', now);
    const { stored: open } = await interactions.create(newInteraction(received, 'accepted', now));
    const later = new Date(now.getTime() + 90_000);
    const ended = {
      ...received,
      status: 'completed' as const,
      agentId: 'facts-agent',
      connectedAt: new Date(now.getTime() + 5_000).toISOString(),
      endedAt: new Date(now.getTime() + 65_000).toISOString(),
      endReason: 'agent_hangup' as const,
      endedBy: 'agent' as const,
      disposition: 'resolved',
    };

    requests.length = 0;
    await interactions.applyFacts(open.interactionId, callFacts(ended), later);
    expect(requests).toEqual(['UpdateCommand']);

    const stored = await interactions.get(open.interactionId);
    expect(stored).toEqual(syncWithCall(open, ended, later));
    expect(stored?.phoneLog).toMatchObject({ from: '+1', queue: 'q', durationSeconds: 60 });
    const raw = await db.doc.send(
      new GetCommand({ TableName: 'Interactions', Key: { interactionId: open.interactionId } }),
    );
    expect(raw.Item?.expiresAt).toBe(later.getTime() / 1000 + RETENTION_DAYS * 86_400);
    // A writer holding the interaction as it was read before fails its condition and re-reads.
    requests.length = 0;
    await interactions.update(open.interactionId, (i) => ({ ...i, disposition: 'callback' }), open);
    expect(requests).toEqual(['PutCommand', 'GetCommand', 'PutCommand']);
    expect((await interactions.get(open.interactionId))?.phoneLog.endedBy).toBe('agent');

    await expect(interactions.applyFacts('int_missing', callFacts(ended), later)).rejects.toBeInstanceOf(
      NotFoundError,
    );
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
