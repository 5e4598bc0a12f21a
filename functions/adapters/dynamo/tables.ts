/**
 * The DynamoDB tables: keys and secondary indexes, as plain data used by both the CDK app and the
 * local runtime (which creates them in dynalite). Access patterns are documented in docs/data-model.md.
 */

export interface IndexDefinition {
  indexName: string;
  partitionKey: string;
  sortKey: string;
}

export interface TableDefinition {
  /** Logical id in the stack; also the env var stem (`CALLS_TABLE`). */
  id: 'Calls' | 'Agents' | 'Interactions' | 'WorkItems' | 'WebhookReceipts';
  envVar:
    | 'CALLS_TABLE'
    | 'AGENTS_TABLE'
    | 'INTERACTIONS_TABLE'
    | 'WORK_ITEMS_TABLE'
    | 'WEBHOOK_RECEIPTS_TABLE';
  partitionKey: string;
  indexes: IndexDefinition[];
  /** Epoch-seconds attribute after which DynamoDB deletes the item (TTL on AWS; dynalite has none). */
  timeToLiveAttribute?: string;
}

export const TABLES = {
  calls: {
    id: 'Calls',
    envVar: 'CALLS_TABLE',
    partitionKey: 'callId',
    indexes: [
      // Sparse: only calls waiting for an agent carry waitingQueue. Oldest first per queue.
      { indexName: 'waiting', partitionKey: 'waitingQueue', sortKey: 'waitingSince' },
      // Sparse: only answered calls whose interaction is still to be created carry interactionPending.
      { indexName: 'interaction-pending', partitionKey: 'interactionPending', sortKey: 'updatedAt' },
      // Sparse: only calls being routed (queued and not waiting, or offering) carry routingState. Lets the
      // sweeper find a call whose workflow died, by how long it has not changed.
      { indexName: 'routing', partitionKey: 'routingState', sortKey: 'updatedAt' },
    ],
  },
  agents: {
    id: 'Agents',
    envVar: 'AGENTS_TABLE',
    partitionKey: 'agentId',
    indexes: [
      // Sparse: only available agents carry availability. Longest idle first.
      { indexName: 'available', partitionKey: 'availability', sortKey: 'idleSince' },
    ],
  },
  interactions: {
    id: 'Interactions',
    envVar: 'INTERACTIONS_TABLE',
    partitionKey: 'interactionId',
    indexes: [{ indexName: 'by-phone', partitionKey: 'phone', sortKey: 'createdAt' }],
  },
  workItems: {
    id: 'WorkItems',
    envVar: 'WORK_ITEMS_TABLE',
    partitionKey: 'workItemId',
    indexes: [{ indexName: 'by-status', partitionKey: 'status', sortKey: 'createdAt' }],
  },
  webhookReceipts: {
    id: 'WebhookReceipts',
    envVar: 'WEBHOOK_RECEIPTS_TABLE',
    partitionKey: 'webhookId',
    indexes: [],
    // Deleted by TTL once a replay could no longer pass the signature check; readers ignore expired ones.
    timeToLiveAttribute: 'expiresAt',
  },
} as const satisfies Record<string, TableDefinition>;

/** Every key and index attribute is a string. */
export function keyAttributes(table: TableDefinition): string[] {
  return [...new Set([table.partitionKey, ...table.indexes.flatMap((i) => [i.partitionKey, i.sortKey])])];
}
