import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isTerminal, owesInteraction } from '../../core/call.ts';
import { DomainError, InteractionUnavailableError } from '../../core/errors.ts';
import type {
  Agent,
  Call,
  CallEntry,
  CallEntryOf,
  Interaction,
  WorkItem,
  WorkItemStatus,
} from '../../core/model.ts';
import type { AgentStore, CallStore, InteractionStore, Logger, WorkItemStore } from '../../core/ports.ts';
import { queuePlace } from '../../core/routing.ts';
import { TABLES } from '../../manifest/tables.ts';
import { makeCallEntries } from './call-entries.ts';
import { VersionedTable } from './versioned-table.ts';

const PENDING = 'PENDING';
const AVAILABLE = 'AVAILABLE';

/** How long items are kept once they stop changing (`RETENTION_DAYS`): DynamoDB deletes them after. */
export type Retention = () => number;

/** The TTL attribute's value: `days` after `since`, in epoch seconds. */
const expiresAt = (since: string, days: number) => Math.floor(Date.parse(since) / 1000) + days * 86_400;

/**
 * A call item written before the conversation and timeline moved to their own items (inline `timeline[]`
 * and `conversation[]`, no `entryCount`): its entries become the call's `newEntries`, numbered in order,
 * which every read shows and its next change stores, as it stores what a stopped writer left. An item of
 * today is returned as it is.
 */
export function upgradeCallItem(item: Record<string, unknown>): Call {
  if (item.entryCount !== undefined) return item as unknown as Call;
  const {
    timeline = [],
    conversation = [],
    ...rest
  } = item as {
    timeline?: CallEntryOf['timeline'][];
    conversation?: CallEntryOf['conversation'][];
  };
  const newEntries: CallEntry[] = [
    ...timeline.map((entry) => ({ list: 'timeline' as const, entry })),
    ...conversation.map((entry) => ({ list: 'conversation' as const, entry })),
  ].map((e, i) => ({ ...e, n: i + 1 }) as CallEntry);
  return { ...(rest as unknown as Call), entryCount: newEntries.length, newEntries };
}

/**
 * How many bytes of entries a call item carries before a change moves them to their own items: enough for a
 * call's usual timeline (so its changes write one item each), small enough that the call item stays a few
 * write units. Past the hard limit a change that cannot move them fails rather than grow the item further.
 */
const ENTRY_BUFFER = { bytes: 4_096, hardLimitBytes: 128 * 1024 } as const;

/**
 * Calls, one item each (offers inside) with three sparse indexes (waiting calls in queue order), and their
 * conversation and timeline. A change adds its entries to the call item (`newEntries`, committed with the
 * change by the one conditional write); once they pass `ENTRY_BUFFER.bytes`, a change first stores those
 * committed before it as items of their own in the second table (one per entry, keyed by its number, so
 * storing one twice changes nothing), then writes the call item without them. So a usual call writes one item per change, a long one
 * stays small, and no entry is lost or stored twice.
 */
export function makeCallStore(
  doc: DynamoDBDocumentClient,
  tableNames: { calls: () => string; callEntries: () => string },
  retention: Retention,
  logger: Pick<Logger, 'warn'>,
): CallStore {
  // A call's entries all go RETENTION_DAYS and a day after it was received: after the call itself, which
  // goes RETENTION_DAYS after it ended (calls end within hours), so no call is read with entries missing.
  const entries = makeCallEntries(doc, tableNames.callEntries, (call) =>
    expiresAt(call.createdAt, retention() + 1),
  );
  const table = new VersionedTable<Call, typeof TABLES.calls>({
    doc,
    tableName: tableNames.calls,
    definition: TABLES.calls,
    noun: 'call',
    upgrade: upgradeCallItem,
    // Only entries committed already (on the version this write is conditioned on) are moved: this
    // change's own may still lose the race for their numbers, and stay on the item until a later change.
    beforeWrite: async (stored, call) => {
      const bytes = Buffer.byteLength(JSON.stringify(call.newEntries));
      const committed = stored.newEntries;
      if (bytes <= ENTRY_BUFFER.bytes || committed.length === 0) return call;
      try {
        await entries.put(call, committed);
        const moved = new Set(committed.map((e) => e.n));
        return { ...call, newEntries: call.newEntries.filter((e) => !moved.has(e.n)) };
      } catch (err) {
        // The change itself can still be made: the entries stay on the item for the next change to move.
        if (bytes > ENTRY_BUFFER.hardLimitBytes) throw err;
        logger.warn('entries of a call left on it for its next change', {
          callId: call.callId,
          error: String(err),
        });
        return call;
      }
    },
    indexAttributes: (c) => ({
      waitingQueue: c.waiting ? c.queue : undefined,
      waitingOrder: c.waiting ? queuePlace(c) : undefined,
      interactionPending: owesInteraction(c) ? PENDING : undefined,
      routingState: c.status === 'offering' || (c.status === 'queued' && !c.waiting) ? c.status : undefined,
      expiresAt: isTerminal(c.status) ? expiresAt(c.endedAt ?? c.updatedAt, retention()) : undefined,
    }),
  });
  return {
    create: (call) => table.create(call),
    get: (callId) => table.get(callId),
    update: (callId, transition, known) => table.update(callId, transition, known),
    listEntries: (call, list, page) => entries.list(call, list, page),
    listWaiting: (queue, limit) => table.query('queue-order', queue, { limit }),
    listInteractionPending: (limit) => table.query('interaction-pending', PENDING, { limit }),
    listRouting: (status, limit) => table.query('routing', status, { limit }),
    listSince: (since) =>
      table.scan({
        expression: '#c >= :s OR attribute_not_exists(#e) OR #e >= :s',
        names: { '#c': 'createdAt', '#e': 'endedAt' },
        values: { ':s': since },
      }),
  };
}

/** Agents, one item each; available ones carry the sparse `available` index key, sorted by idle time. */
export function makeAgentStore(doc: DynamoDBDocumentClient, tableName: () => string): AgentStore {
  const table = new VersionedTable<Agent, typeof TABLES.agents>({
    doc,
    tableName,
    definition: TABLES.agents,
    noun: 'agent',
    indexAttributes: (a) => ({ availability: a.status === 'available' ? AVAILABLE : undefined }),
  });
  return {
    get: (agentId) => table.get(agentId),
    create: (agent) => table.create(agent),
    update: (agentId, transition, known) => table.update(agentId, transition, known),
    tryUpdate: (known, transition) => table.tryUpdate(known.agentId, transition, known),
    // The index is eventually consistent on AWS: the reservation's conditional write is the real check.
    listAvailable: async (queue) =>
      (await table.query('available', AVAILABLE)).filter((a) => a.queues.includes(queue)),
    list: () => table.scan(),
    listPage: (page) => table.scanPage(page),
  };
}

/**
 * The interaction store stands for the CRM: any failure of it (other than a lost race, which the table
 * handles) becomes InteractionUnavailableError, which callers treat as "defer, never fail the call".
 */
export function makeInteractionStore(
  doc: DynamoDBDocumentClient,
  tableName: () => string,
  retention: Retention,
): InteractionStore {
  const table = new VersionedTable<Interaction, typeof TABLES.interactions>({
    doc,
    tableName,
    definition: TABLES.interactions,
    noun: 'interaction',
    indexAttributes: (i) => ({ expiresAt: expiry(i.updatedAt) }),
  });
  const expiry = (updatedAt: string) => expiresAt(updatedAt, retention());
  const guard = async <R>(what: string, fn: () => Promise<R>): Promise<R> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof DomainError) throw err;
      throw new InteractionUnavailableError(`interaction store failed to ${what}: ${(err as Error).message}`);
    }
  };
  return {
    create: (interaction) => guard('create', () => table.create(interaction)),
    get: (id) => guard('read', () => table.get(id)),
    update: (id, transition, known) => guard('update', () => table.update(id, transition, known)),
    applyFacts: (id, { phoneLog, ...facts }, now) => {
      const updatedAt = now.toISOString();
      const fields: [string[], unknown][] = [
        ...Object.entries({ ...facts, updatedAt, expiresAt: expiry(updatedAt) }).map(
          ([name, value]): [string[], unknown] => [[name], value],
        ),
        ...Object.entries(phoneLog).map(([name, value]): [string[], unknown] => [['phoneLog', name], value]),
      ];
      return guard('update', () => table.patch(id, fields));
    },
    listByPhone: (phone, page) =>
      guard('query', () => table.queryPage('by-phone', phone, page, { forward: false })),
  };
}

const agentStatus = (agentId: string, status: WorkItemStatus) => `${agentId}#${status}`;

export function makeWorkItemStore(
  doc: DynamoDBDocumentClient,
  tableName: () => string,
  retention: Retention,
): WorkItemStore {
  const table = new VersionedTable<WorkItem, typeof TABLES.workItems>({
    doc,
    tableName,
    definition: TABLES.workItems,
    noun: 'work item',
    indexAttributes: (w) => ({
      expiresAt: expiresAt(w.createdAt, retention()),
      agentStatus: w.agentId ? agentStatus(w.agentId, w.status) : undefined,
    }),
  });
  return {
    create: (item) => table.create(item),
    list: (status, page) => table.queryPage('by-status', status, page),
    listByAgent: (agentId, status, page) => table.queryPage('by-agent', agentStatus(agentId, status), page),
  };
}
