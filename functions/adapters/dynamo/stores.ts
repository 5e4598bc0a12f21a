import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { owesInteraction } from '../../core/call.ts';
import { DomainError, InteractionUnavailableError } from '../../core/errors.ts';
import type { Agent, Call, Interaction, WorkItem } from '../../core/model.ts';
import type { AgentStore, CallStore, InteractionStore, WorkItemStore } from '../../core/ports.ts';
import { TABLES } from '../../manifest/tables.ts';
import { VersionedTable } from './versioned-table.ts';

const PENDING = 'PENDING';
const AVAILABLE = 'AVAILABLE';

/** Calls, one item each (offers and timeline inside), with three sparse indexes. */
export function makeCallStore(doc: DynamoDBDocumentClient, tableName: () => string): CallStore {
  const table = new VersionedTable<Call, typeof TABLES.calls>({
    doc,
    tableName,
    definition: TABLES.calls,
    noun: 'call',
    indexAttributes: (c) => ({
      waitingQueue: c.waiting ? c.queue : undefined,
      waitingSince: c.waiting?.since,
      interactionPending: owesInteraction(c) ? PENDING : undefined,
      routingState: c.status === 'offering' || (c.status === 'queued' && !c.waiting) ? c.status : undefined,
    }),
  });
  return {
    create: (call) => table.create(call),
    get: (callId) => table.get(callId),
    update: (callId, transition) => table.update(callId, transition),
    listWaiting: (queue, limit) => table.query('waiting', queue, { limit }),
    listInteractionPending: (limit) => table.query('interaction-pending', PENDING, { limit }),
    listRouting: (status, limit) => table.query('routing', status, { limit }),
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
    update: (agentId, transition) => table.update(agentId, transition),
    // The index is eventually consistent on AWS: the reservation's conditional write is the real check.
    listAvailable: async (queue) =>
      (await table.query('available', AVAILABLE)).filter((a) => a.queues.includes(queue)),
    list: () => table.scan(),
  };
}

/**
 * The interaction store stands for the CRM: any failure of it (other than a lost race, which the table
 * handles) becomes InteractionUnavailableError, which callers treat as "defer, never fail the call".
 */
export function makeInteractionStore(doc: DynamoDBDocumentClient, tableName: () => string): InteractionStore {
  const table = new VersionedTable<Interaction, typeof TABLES.interactions>({
    doc,
    tableName,
    definition: TABLES.interactions,
    noun: 'interaction',
  });
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
    update: (id, transition) => guard('update', () => table.update(id, transition)),
    listByPhone: (phone) => guard('query', () => table.query('by-phone', phone, { forward: false })),
  };
}

export function makeWorkItemStore(doc: DynamoDBDocumentClient, tableName: () => string): WorkItemStore {
  const table = new VersionedTable<WorkItem, typeof TABLES.workItems>({
    doc,
    tableName,
    definition: TABLES.workItems,
    noun: 'work item',
  });
  return {
    create: (item) => table.create(item),
    list: (status) => table.query('by-status', status),
  };
}
