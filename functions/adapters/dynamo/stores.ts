import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DomainError, InteractionUnavailableError } from '../../core/errors.ts';
import type { Agent, Call, Interaction, WorkItem, WorkItemStatus } from '../../core/model.ts';
import type { AgentStore, CallStore, InteractionStore, WorkItemStore } from '../../core/ports.ts';
import { TABLES } from './tables.ts';
import { VersionedTable } from './versioned-table.ts';

const PENDING = 'PENDING';
const AVAILABLE = 'AVAILABLE';

/** Calls, one item each (offers and timeline inside), with two sparse indexes. */
export function makeCallStore(doc: DynamoDBDocumentClient, tableName: () => string): CallStore {
  const table = new VersionedTable<Call>({
    doc,
    tableName,
    noun: 'call',
    partitionKey: 'callId',
    indexAttributes: (c) => ({
      waitingQueue: c.waiting ? c.queue : undefined,
      waitingSince: c.waiting?.since,
      interactionPending: c.interaction?.status === 'pending' ? PENDING : undefined,
      routingState: c.status === 'offering' || (c.status === 'queued' && !c.waiting) ? c.status : undefined,
    }),
  });
  const [waiting, pending, routing] = TABLES.calls.indexes;
  return {
    create: async (call) => {
      const { entity, created } = await table.create(call);
      return { call: entity, created };
    },
    get: (callId) => table.get(callId),
    update: (callId, transition) => table.update(callId, transition),
    listWaiting: (queue, limit) => table.query(waiting.indexName, waiting.partitionKey, queue, true, limit),
    listInteractionPending: (limit) =>
      table.query(pending.indexName, pending.partitionKey, PENDING, true, limit),
    listRouting: (status, limit) => table.query(routing.indexName, routing.partitionKey, status, true, limit),
  };
}

/** Agents, one item each; available ones carry the sparse `available` index key, sorted by idle time. */
export function makeAgentStore(doc: DynamoDBDocumentClient, tableName: () => string): AgentStore {
  const table = new VersionedTable<Agent>({
    doc,
    tableName,
    noun: 'agent',
    partitionKey: 'agentId',
    indexAttributes: (a) => ({ availability: a.status === 'available' ? AVAILABLE : undefined }),
  });
  const [available] = TABLES.agents.indexes;
  return {
    get: (agentId) => table.get(agentId),
    create: async (agent) => {
      const { entity, created } = await table.create(agent);
      return { agent: entity, created };
    },
    update: (agentId, transition) => table.update(agentId, transition),
    // The index is eventually consistent on AWS: the reservation's conditional write is the real check.
    listAvailable: async (queue) =>
      (await table.query(available.indexName, available.partitionKey, AVAILABLE)).filter((a) =>
        a.queues.includes(queue),
      ),
    list: () => table.scan(),
  };
}

/**
 * The interaction store stands for the CRM: any failure of it (other than a lost race, which the table
 * handles) becomes InteractionUnavailableError, which callers treat as "defer, never fail the call".
 */
export function makeInteractionStore(doc: DynamoDBDocumentClient, tableName: () => string): InteractionStore {
  const table = new VersionedTable<Interaction>({
    doc,
    tableName,
    noun: 'interaction',
    partitionKey: 'interactionId',
  });
  const [byPhone] = TABLES.interactions.indexes;
  const guard = async <R>(what: string, fn: () => Promise<R>): Promise<R> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof DomainError) throw err;
      throw new InteractionUnavailableError(`interaction store failed to ${what}: ${(err as Error).message}`);
    }
  };
  return {
    create: (interaction) =>
      guard('create', async () => {
        const { entity, created } = await table.create(interaction);
        return { interaction: entity, created };
      }),
    get: (id) => guard('read', () => table.get(id)),
    update: (id, transition) => guard('update', () => table.update(id, transition)),
    listByPhone: (phone) =>
      guard('query', () => table.query(byPhone.indexName, byPhone.partitionKey, phone, false)),
  };
}

export function makeWorkItemStore(doc: DynamoDBDocumentClient, tableName: () => string): WorkItemStore {
  const table = new VersionedTable<WorkItem>({
    doc,
    tableName,
    noun: 'work item',
    partitionKey: 'workItemId',
  });
  const [byStatus] = TABLES.workItems.indexes;
  return {
    create: async (item) => {
      const { entity, created } = await table.create(item);
      return { item: entity, created };
    },
    list: (status: WorkItemStatus) => table.query(byStatus.indexName, byStatus.partitionKey, status),
  };
}
