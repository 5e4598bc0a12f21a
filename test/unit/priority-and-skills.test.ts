import { describe, expect, it } from 'vitest';
import { addConnection, hasSkillsFor, newAgent, qualifiesFor } from '../../functions/core/agent.ts';
import { newCall, startWaiting } from '../../functions/core/call.ts';
import type { Agent, AgentSkill, Call, RequiredSkill } from '../../functions/core/model.ts';
import {
  bestWaitingFor,
  queueOrder,
  queuePlace,
  rankCandidates,
  waitingAheadFor,
} from '../../functions/core/routing.ts';
import { makeHandOver, makeWakeWaitingCall } from '../../functions/core/steps/wake-waiting-call.ts';
import { makeUseCases } from '../../functions/core/use-cases/index.ts';
import { t0, type World, world } from '../support/use-case-world.ts';

const at = (s: number) => new Date(t0.getTime() + s * 1000);
const admin = { userId: 'boss', groups: ['admins'] as const };

const agent = (agentId: string, idleSince: string, skills?: AgentSkill[], queues = ['support']): Agent => ({
  ...addConnection(
    newAgent(agentId, { name: agentId, queues, autoAccept: false, skills }, t0),
    `c-${agentId}`,
  ),
  status: 'available',
  idleSince,
});

/** A call of `queue` received at second `s`, waiting since then. */
const waitingCall = (
  ccaasCallId: string,
  s: number,
  {
    queue = 'support',
    priority,
    requiredSkills,
  }: Partial<Pick<Call, 'queue' | 'priority' | 'requiredSkills'>> = {},
): Call =>
  startWaiting(
    newCall({ ccaasCallId, from: '+1', to: '+2', queue, priority, requiredSkills }, 'resiliency', at(s)),
    't',
    at(s),
  );

const ids = (items: readonly { callId: string }[]) => items.map((c) => c.callId);
const spanish = (minLevel?: number): RequiredSkill[] => [
  { skill: 'spanish', ...(minLevel ? { minLevel } : {}) },
];

describe('skills', () => {
  it('qualifies an agent holding every required skill at the minimum level or above', () => {
    const fluent = agent('f', '1', [
      { skill: 'spanish', level: 4 },
      { skill: 'billing', level: 1 },
    ]);
    expect(hasSkillsFor(fluent, { requiredSkills: spanish(4) })).toBe(true);
    expect(hasSkillsFor(fluent, { requiredSkills: [...spanish(), { skill: 'billing' }] })).toBe(true);
    expect(hasSkillsFor(fluent, { requiredSkills: spanish(5) })).toBe(false);
    expect(hasSkillsFor(fluent, { requiredSkills: [...spanish(), { skill: 'french' }] })).toBe(false);
  });

  it('treats an agent or a call stored before skills as having and needing none', () => {
    const old = agent('old', '1');
    delete old.skills;
    const oldCall = { queue: 'support', excludedAgents: [] };
    expect(qualifiesFor(old, oldCall)).toBe(true);
    expect(qualifiesFor(old, { ...oldCall, requiredSkills: spanish() })).toBe(false);
  });

  it('ranks the longest-idle agent holding the skills first, skipping longer-idle agents without them', () => {
    const agents = [
      agent('plain', '2026-03-01T08:00:00Z'),
      agent('beginner', '2026-03-01T09:00:00Z', [{ skill: 'spanish', level: 1 }]),
      agent('fluent-late', '2026-03-01T11:00:00Z', [{ skill: 'spanish', level: 4 }]),
      agent('fluent-early', '2026-03-01T10:00:00Z', [{ skill: 'spanish', level: 3 }]),
    ];
    const call = { queue: 'support', excludedAgents: [], requiredSkills: spanish(3) };
    expect(rankCandidates(agents, call).map((a) => a.agentId)).toEqual(['fluent-early', 'fluent-late']);
  });
});

describe('queue order', () => {
  it('puts the higher priority first, then the earlier arrival, and its key sorts the same way', () => {
    const calls = [
      waitingCall('late-p0', 3),
      waitingCall('early-p0', 1),
      waitingCall('late-p10', 4, { priority: 10 }),
      waitingCall('early-p9', 2, { priority: 9 }),
    ];
    const expected = ['late-p10', 'early-p9', 'early-p0', 'late-p0'].map(
      (cc) => calls.find((c) => c.ccaasCallId === cc)?.callId,
    );
    expect(ids([...calls].sort(queueOrder))).toEqual(expected);
    // The store sorts the waiting index by the key as a string: it must give the very same order.
    const byKey = [...calls].sort((a, b) => (queuePlace(a) < queuePlace(b) ? -1 : 1));
    expect(ids(byKey)).toEqual(expected);
  });

  it('places a call stored before priorities as priority 0, by when its routing round began', () => {
    const old = waitingCall('old', 1);
    delete old.priority;
    expect(queuePlace(old)).toBe(`10#${at(1).toISOString()}`);
    expect(queueOrder(old, waitingCall('newer', 2))).toBeLessThan(0);
  });

  it('gives a freed agent the first waiting call it can take: a call needing a skill it lacks holds nothing back', () => {
    const plain = agent('plain', '1');
    const skilled = waitingCall('skilled', 1, { priority: 5, requiredSkills: spanish() });
    const older = waitingCall('older', 2);
    const younger = waitingCall('younger', 3);
    expect(bestWaitingFor(plain, [younger, skilled, older])?.callId).toBe(older.callId);
    const fluent = agent('fluent', '1', [{ skill: 'spanish', level: 2 }]);
    expect(bestWaitingFor(fluent, [younger, skilled, older])?.callId).toBe(skilled.callId);
  });

  it('finds the waiting call of the same queue ahead of a new one that the agent could take instead', () => {
    const plain = agent('plain', '1', [], ['support', 'sales']);
    const arriving = waitingCall('new', 10);
    const skilledAhead = waitingCall('skilled', 1, { requiredSkills: spanish() });
    const otherQueue = waitingCall('sales', 2, { queue: 'sales' });
    const lowerPriority = waitingCall('low', 3, { priority: 0 });
    expect(
      waitingAheadFor(plain, { ...arriving, priority: 1 }, [skilledAhead, otherQueue, lowerPriority]),
    ).toBe(undefined);
    expect(waitingAheadFor(plain, arriving, [skilledAhead, otherQueue, lowerPriority])?.callId).toBe(
      lowerPriority.callId,
    );
    expect(waitingAheadFor(plain, lowerPriority, [lowerPriority, waitingCall('after', 11)])).toBe(undefined);
  });
});

/** Runs a call's routing as the workflow would: offer it, or park it in its queue when nobody is free. */
async function route(w: World, callId: string): Promise<'offered' | 'waiting'> {
  const token = `tok-${callId}-${w.tokens.size}`;
  w.tokens.set(token, { state: 'waiting' });
  try {
    await w.app.offerToAgent(callId, token);
    return 'offered';
  } catch (err) {
    if ((err as Error).name !== 'NoAgentAvailable') throw err;
    const waitToken = `${token}-wait`;
    w.tokens.set(waitToken, { state: 'waiting' });
    await w.app.waitForAgent(callId, waitToken);
    return 'waiting';
  }
}

async function receive(
  w: World,
  ccaasCallId: string,
  s: number,
  extra: { priority?: number; requiredSkills?: RequiredSkill[] } = {},
): Promise<string> {
  w.setNow(at(s));
  const { callId } = await w.app.receiveCall({
    ccaasCallId,
    from: '+1',
    to: '+2',
    queue: 'support',
    ...extra,
  });
  return callId;
}

/** The calls woken out of waiting so far (their waiting token succeeded), in the order given. */
async function stillWaiting(w: World, callIds: string[]): Promise<string[]> {
  const calls = await Promise.all(callIds.map((id) => w.deps.calls.get(id)));
  return calls.filter((c) => c?.waiting).map((c) => c?.callId as string);
}

const offeredTo = async (w: World, callId: string) =>
  (await w.deps.calls.get(callId))?.offers.at(-1)?.agentId;

async function setSkills(w: World, agentId: string, skills: AgentSkill[]) {
  await w.deps.agents.update(agentId, (a) => ({ ...a, skills }));
}

/** Makes the agent available behind the use cases' back: the moment between its change and its wake-up. */
async function availableUnannounced(w: World, agentId: string) {
  await w.deps.agents.update(agentId, (a) => ({
    ...a,
    status: 'available',
    idleSince: w.deps.clock.now().toISOString(),
  }));
}

/** A call `first` waits, and agent a1 has just become available, its wake-up not yet done. */
async function waitingWithAgentFree() {
  const w = await world(['a1']);
  await w.app.setAgentStatus('a1', 'away');
  const first = await receive(w, 'first', 1);
  await route(w, first);
  await availableUnannounced(w, 'a1');
  return { w, first };
}

describe('routing calls in queue order', () => {
  it('offers the calls of a queue in arrival order as an agent frees up', async () => {
    const w = await world(['a1']);
    await w.app.setAgentStatus('a1', 'away');
    const [c1, c2, c3] = [await receive(w, 'c1', 1), await receive(w, 'c2', 2), await receive(w, 'c3', 3)];
    for (const id of [c1, c2, c3]) expect(await route(w, id)).toBe('waiting');

    await w.app.setAgentStatus('a1', 'available');
    expect(await stillWaiting(w, [c1, c2, c3])).toEqual([c2, c3]);
    expect(await route(w, c1)).toBe('offered');

    // Declining frees the agent: it goes to the next call in line, not to the last.
    const offerId = (await w.deps.calls.get(c1))?.offers[0]?.offerId as string;
    await w.app.rejectOffer('a1', offerId);
    expect(await stillWaiting(w, [c2, c3])).toEqual([c3]);
    expect(await route(w, c2)).toBe('offered');
    expect(await offeredTo(w, c2)).toBe('a1');
  });

  it('offers a higher-priority call first, though it arrived last', async () => {
    const w = await world(['a1']);
    await w.app.setAgentStatus('a1', 'away');
    const c1 = await receive(w, 'c1', 1);
    const c2 = await receive(w, 'c2', 2);
    const urgent = await receive(w, 'urgent', 3, { priority: 7 });
    for (const id of [c1, c2, urgent]) await route(w, id);

    await w.app.setAgentStatus('a1', 'available');

    expect(await stillWaiting(w, [c1, c2, urgent])).toEqual([c1, c2]);
    expect(await route(w, urgent)).toBe('offered');
  });

  it('wakes nothing when a presence change changes nothing: an agent already available setting available', async () => {
    const { w, first } = await waitingWithAgentFree();

    await w.app.setAgentStatus('a1', 'available');

    // Its wake-up belonged to the change that made it available, not to a repeat of it.
    expect(await stillWaiting(w, [first])).toEqual([first]);
    await w.app.setAgentStatus('a1', 'away');
    await w.app.setAgentStatus('a1', 'available');
    expect(await stillWaiting(w, [first])).toEqual([]);
  });

  it('never lets a new call overtake a waiting call the free agent could take: the waiting one is woken for it', async () => {
    const { w, first } = await waitingWithAgentFree();

    const second = await receive(w, 'second', 2);
    expect(await route(w, second)).toBe('waiting');

    // a1 is held for the first call's next offer, handed over with its wake-up: nobody can claim it.
    expect(await w.deps.agents.get('a1')).toMatchObject({
      status: 'reserved',
      offer: { callId: first, offerId: `${first}.1` },
    });
    expect(await stillWaiting(w, [first, second])).toEqual([second]);
    expect(await route(w, first)).toBe('offered');
    expect(await offeredTo(w, first)).toBe('a1');
  });

  /** One call waits; a1 becomes available and is handed to it (`woken`), before its offer. */
  async function heldForOne() {
    const w = await world(['a1']);
    await w.app.setAgentStatus('a1', 'away');
    const woken = await receive(w, 'woken', 1);
    await route(w, woken);
    await w.app.setAgentStatus('a1', 'available');
    return { w, woken };
  }

  it('hands a freed agent to the oldest waiting call with the wake-up, so a call arriving meanwhile cannot take it', async () => {
    const { w, woken: first } = await heldForOne();

    // Before the woken call's workflow offers it, a new call arrives and looks for an agent.
    const late = await receive(w, 'late', 2);
    expect(await route(w, late)).toBe('waiting');

    expect(await route(w, first)).toBe('offered');
    expect(await offeredTo(w, first)).toBe('a1');
    expect(await stillWaiting(w, [late])).toEqual([late]);
  });

  /** Two calls wait; a1 becomes available and is handed to the first (`woken`), before its offer. */
  async function heldForFirstOfTwo() {
    const w = await world(['a1']);
    await w.app.setAgentStatus('a1', 'away');
    const woken = await receive(w, 'woken', 1);
    const next = await receive(w, 'next', 2);
    for (const id of [woken, next]) await route(w, id);
    await w.app.setAgentStatus('a1', 'available');
    return { w, woken, next };
  }

  it('frees the agent held for a woken call whose caller hangs up before the offer, for the next call', async () => {
    const { w, woken: gone, next } = await heldForFirstOfTwo();
    expect(await stillWaiting(w, [gone, next])).toEqual([next]);
    await w.app.applyCcaasEvent(gone, { seq: 1, type: 'caller_hangup', at: at(3).toISOString() });

    // Freed at once (not after the sweeper's grace), and handed to the next call in line.
    expect(await w.deps.agents.get('a1')).toMatchObject({ status: 'reserved', offer: { callId: next } });
    expect(await stillWaiting(w, [next])).toEqual([]);
    expect(await route(w, next)).toBe('offered');
  });

  it('frees the agent held for a woken call that overflows instead, for the next call', async () => {
    // The agent is handed to the first call just as its queue time runs out: the workflow overflows it.
    const { w, woken: late, next } = await heldForFirstOfTwo();
    await w.app.overflowCall(late, { Error: 'States.Timeout' }, 0);

    expect(await w.deps.agents.get('a1')).toMatchObject({ status: 'reserved', offer: { callId: next } });
    expect(await route(w, next)).toBe('offered');
  });

  it('keeps a hand-over that the sweep looked at just before the woken call was offered', async () => {
    const { w, woken } = await heldForOne();
    // The woken call's workflow is slow: the hold is past the sweep's grace when the sweep comes.
    w.setNow(at(60));
    const { get } = w.deps.calls;
    let offered: string | undefined;
    const sweeping = makeUseCases({
      ...w.deps,
      calls: {
        ...w.deps.calls,
        async get(callId) {
          const seen = await get(callId);
          // Between the sweep's read of the call (no offer yet) and its write to the agent: the offer.
          if (callId === woken && !offered) offered = await route(w, woken);
          return seen;
        },
      },
    });

    await sweeping.sweep();

    expect(offered).toBe('offered');
    const offer = (await w.deps.calls.get(woken))?.offers[0];
    expect(offer).toMatchObject({ agentId: 'a1', status: 'pending' });
    expect(await w.deps.agents.get('a1')).toMatchObject({
      status: 'reserved',
      offer: { offerId: offer?.offerId },
    });
  });

  it('hands over an agent changed since it was read (a socket added), when it is still free', async () => {
    const { w, first } = await waitingWithAgentFree();
    const read = (await w.deps.agents.get('a1')) as Agent;
    await w.deps.agents.update('a1', (a) => addConnection(a, 'second-tab'));
    const wakeWaitingCall = makeWakeWaitingCall({ ...w.deps, handOver: makeHandOver(w.deps) });

    expect(await wakeWaitingCall(read)).toBe(first);
    expect(await w.deps.agents.get('a1')).toMatchObject({ status: 'reserved', offer: { callId: first } });
  });

  it('lets a new call of higher priority go before the waiting ones', async () => {
    const { w, first } = await waitingWithAgentFree();

    const urgent = await receive(w, 'urgent', 2, { priority: 1 });

    expect(await route(w, urgent)).toBe('offered');
    expect(await stillWaiting(w, [first])).toEqual([first]);
  });

  it('wakes, when a call parks while an agent is free, the call ahead of it rather than itself', async () => {
    const w = await world(['a1']);
    await w.app.setAgentStatus('a1', 'away');
    const first = await receive(w, 'first', 1);
    const second = await receive(w, 'second', 2);
    await route(w, first);
    await availableUnannounced(w, 'a1');

    w.tokens.set('park', { state: 'waiting' });
    await w.app.waitForAgent(second, 'park');

    expect(await stillWaiting(w, [first, second])).toEqual([second]);
  });
});

describe('routing calls by skill', () => {
  it('offers a call needing a skill to the longest-idle agent holding it, past a longer-idle one without', async () => {
    const w = await world(['plain', 'fluent']);
    await w.deps.agents.update('plain', (a) => ({ ...a, idleSince: at(-60).toISOString() }));
    await w.deps.agents.update('fluent', (a) => ({ ...a, idleSince: at(-30).toISOString() }));
    await setSkills(w, 'fluent', [{ skill: 'spanish', level: 3 }]);

    const callId = await receive(w, 'es', 1, { requiredSkills: spanish(2) });

    expect(await route(w, callId)).toBe('offered');
    expect(await offeredTo(w, callId)).toBe('fluent');
  });

  it('gives a freed agent the plain call behind a call needing a skill it lacks, which waits for a skilled agent', async () => {
    const w = await world(['plain', 'fluent']);
    await setSkills(w, 'fluent', [{ skill: 'spanish', level: 3 }]);
    await w.app.setAgentStatus('plain', 'away');
    await w.app.setAgentStatus('fluent', 'away');
    const es = await receive(w, 'es', 1, { requiredSkills: spanish() });
    const plainCall = await receive(w, 'plain-call', 2);
    for (const id of [es, plainCall]) await route(w, id);

    await w.app.setAgentStatus('plain', 'available');
    expect(await stillWaiting(w, [es, plainCall])).toEqual([es]);
    expect(await route(w, plainCall)).toBe('offered');
    expect(await offeredTo(w, plainCall)).toBe('plain');

    await w.app.setAgentStatus('fluent', 'available');
    expect(await stillWaiting(w, [es])).toEqual([]);
    expect(await route(w, es)).toBe('offered');
    expect(await offeredTo(w, es)).toBe('fluent');
  });

  it('wakes a waiting call when an available agent is given the skill it needs', async () => {
    const w = await world(['a1']);
    const es = await receive(w, 'es', 1, { requiredSkills: spanish(3) });
    expect(await route(w, es)).toBe('waiting');

    await w.app.admin.putAgent(admin, 'a1', {
      name: 'a1',
      queues: ['support'],
      autoAccept: false,
      skills: [{ skill: 'spanish', level: 2 }],
    });
    expect(await stillWaiting(w, [es])).toEqual([es]);
    await w.app.admin.putAgent(admin, 'a1', {
      name: 'a1',
      queues: ['support'],
      autoAccept: false,
      skills: [{ skill: 'spanish', level: 3 }],
    });

    expect(await stillWaiting(w, [es])).toEqual([]);
    expect(await route(w, es)).toBe('offered');
  });
});
