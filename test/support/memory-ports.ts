import { owesInteraction } from '../../functions/core/call.ts';
import { NotFoundError } from '../../functions/core/errors.ts';
import type { DomainEvent } from '../../functions/core/events.ts';
import { applyFacts } from '../../functions/core/interaction.ts';
import type { ServerMessage } from '../../functions/core/messages.ts';
import type {
  Agent,
  Call,
  CallEntry,
  CallEntryOf,
  Interaction,
  WorkItem,
} from '../../functions/core/model.ts';
import type { Change, Created, Page, PageRequest, WorkflowInput } from '../../functions/core/ports.ts';
import { queueOrder } from '../../functions/core/routing.ts';
import type { Deps } from '../../functions/core/use-cases/index.ts';
import type { MetricName } from '../../functions/core/vocabulary.ts';
import { DEFAULT_SETTINGS } from '../../functions/manifest/settings.ts';

/** A map with the store semantics the use cases rely on (conditional create, atomic update). */
function table<T>(key: (t: T) => string) {
  const items = new Map<string, T>();
  return {
    items,
    async create(item: T): Promise<Created<T>> {
      const existing = items.get(key(item));
      if (existing) return { stored: existing, created: false };
      items.set(key(item), item);
      return { stored: item, created: true };
    },
    async get(id: string) {
      return items.get(id);
    },
    async update(id: string, transition: (t: T) => T): Promise<Change<T>> {
      const before = items.get(id);
      if (!before) throw new NotFoundError(`${id} not found`);
      const after = transition(before);
      items.set(id, after);
      return { before, after, changed: after !== before };
    },
    /** One write from the item in hand: refused (undefined) unless it is still the stored one. */
    async tryUpdate(known: T, transition: (t: T) => T): Promise<Change<T> | undefined> {
      if (items.get(key(known)) !== known) return undefined;
      const after = transition(known);
      items.set(key(known), after);
      return { before: known, after, changed: after !== known };
    },
  };
}

/** In-memory ports for unit tests of the use cases: no I/O, everything inspectable. */
export function memoryPorts(startedAt = () => new Date('2026-03-01T12:00:00Z')) {
  let sleptMs = 0;
  const now = () => new Date(startedAt().getTime() + sleptMs);
  const calls = table<Call>((c) => c.callId);
  /** The entries of each call's conversation and timeline, stored apart from the call as the real store does. */
  const callEntries = new Map<string, CallEntry[]>();
  const storeEntries = (call: Call) => {
    const stored = callEntries.get(call.callId) ?? [];
    for (const entry of call.newEntries) if (!stored.some((e) => e.n === entry.n)) stored.push(entry);
    callEntries.set(call.callId, stored);
  };
  const agents = table<Agent>((a) => a.agentId);
  const interactions = table<Interaction>((i) => i.interactionId);
  const workItems = table<WorkItem>((w) => w.workItemId);
  const published: DomainEvent[] = [];
  const started: WorkflowInput[] = [];
  const slept: number[] = [];
  /** Sockets that closed without a `$disconnect`: pushes to them come back gone. */
  const gone = new Set<string>();
  const pushed: { connectionIds: readonly string[]; message: ServerMessage }[] = [];
  /** People the directory says may no longer work as agents (disabled, removed from the group). */
  const notAgents = new Set<string>();
  let directoryDown = false;
  const setDirectoryDown = (down: boolean) => {
    directoryDown = down;
  };
  /** What the use cases recorded as metrics, in order. */
  const recorded: { name: MetricName; value: number }[] = [];
  const tokens = new Map<
    string,
    { state: 'waiting' | 'succeeded' | 'failed' | 'timed_out'; output?: unknown; error?: string }
  >();
  const deps: Deps = {
    calls: {
      async create(call) {
        const created = await calls.create(call);
        if (created.created) storeEntries(call);
        return created;
      },
      get: calls.get,
      // The entries of the change before are stored already: a transition starts with none new.
      async update(callId, transition) {
        const stored = calls.items.get(callId);
        if (!stored) throw new NotFoundError(`${callId} not found`);
        const before = stored.newEntries.length > 0 ? { ...stored, newEntries: [] } : stored;
        const after = transition(before);
        if (after === before) return { before, after, changed: false };
        calls.items.set(callId, after);
        storeEntries(after);
        return { before, after, changed: true };
      },
      listEntries: async (call, list, page) =>
        pageOf(
          (callEntries.get(call.callId) ?? [])
            .filter((e) => e.list === list)
            .map((e) => e.entry as CallEntryOf[typeof list]),
          page,
        ),
      listWaiting: async (queue, limit) =>
        [...calls.items.values()]
          .filter((c) => c.waiting && c.queue === queue)
          .sort(queueOrder)
          .slice(0, limit),
      listInteractionPending: async () => [...calls.items.values()].filter(owesInteraction),
      listRouting: async (status) =>
        [...calls.items.values()].filter((c) => c.status === status && !(status === 'queued' && c.waiting)),
      listSince: async (since) =>
        [...calls.items.values()].filter(
          (c) => c.createdAt >= since || c.endedAt === undefined || c.endedAt >= since,
        ),
    },
    agents: {
      get: agents.get,
      create: agents.create,
      update: agents.update,
      tryUpdate: agents.tryUpdate,
      listAvailable: async (queue) =>
        [...agents.items.values()].filter((a) => a.status === 'available' && a.queues.includes(queue)),
      list: async () => [...agents.items.values()],
      listPage: async (page) => pageOf([...agents.items.values()], page),
    },
    interactions: {
      create: interactions.create,
      get: interactions.get,
      update: interactions.update,
      // As the real store: one write of the facts, which moves updatedAt whatever they change.
      applyFacts: async (id, facts, now) => {
        await interactions.update(id, (i) => ({
          ...applyFacts(i, facts, now),
          updatedAt: now.toISOString(),
        }));
      },
      listByPhone: async (phone, page) =>
        pageOf(
          [...interactions.items.values()].filter((i) => i.phone === phone),
          page,
        ),
    },
    workItems: {
      create: workItems.create,
      list: async (status, page) =>
        pageOf(
          [...workItems.items.values()].filter((w) => w.status === status),
          page,
        ),
      listByAgent: async (agentId, status, page) =>
        pageOf(
          [...workItems.items.values()].filter((w) => w.agentId === agentId && w.status === status),
          page,
        ),
    },
    callbacks: {
      async succeed(token, output) {
        if (tokens.get(token)?.state !== 'waiting') return false;
        tokens.set(token, { state: 'succeeded', output });
        return true;
      },
      async fail(token, error) {
        if (tokens.get(token)?.state !== 'waiting') return false;
        tokens.set(token, { state: 'failed', error });
        return true;
      },
    },
    starter: {
      async start(input) {
        started.push(input);
      },
    },
    pusher: {
      async push(connectionIds, message) {
        pushed.push({ connectionIds, message });
        return { gone: connectionIds.filter((c) => gone.has(c)) };
      },
      async isConnected(connectionId) {
        return !gone.has(connectionId);
      },
      async close(connectionId) {
        gone.add(connectionId);
      },
    },
    events: {
      async publish(events) {
        published.push(...events);
      },
    },
    // Time stands still in unit tests but for sleeps: one is over at once, recorded, and moves the clock on.
    clock: {
      now,
      sleep: async (ms) => {
        slept.push(ms);
        sleptMs += ms;
      },
    },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    metrics: { record: (name, value) => void recorded.push({ name, value }) },
    directory: {
      agents: async () => {
        if (directoryDown) throw new Error('the user pool is unreachable');
        return new Set([...agents.items.keys()].filter((id) => !notAgents.has(id)));
      },
    },
    settings: DEFAULT_SETTINGS,
  };
  return {
    deps,
    calls,
    agents,
    interactions,
    workItems,
    published,
    pushed,
    recorded,
    notAgents,
    setDirectoryDown,
    tokens,
    started,
    slept,
    gone,
  };
}

/** A page of an in-memory list: the cursor is the offset of the next item. */
function pageOf<T>(list: T[], { limit, cursor }: PageRequest): Page<T> {
  const start = cursor ? Number(cursor) : 0;
  const next = start + limit;
  return { items: list.slice(start, next), ...(next < list.length ? { cursor: String(next) } : {}) };
}
