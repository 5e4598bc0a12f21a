/**
 * The DynamoDB tables: keys and secondary indexes, as plain data used by the CDK app, the local runtime
 * (which creates them in dynalite) and the stores (which query the indexes by name). Access patterns are
 * documented in docs/data-model.md.
 */

export interface IndexDefinition {
  partitionKey: string;
  sortKey: string;
}

export interface TableDefinition {
  /** Logical id in the stack; also the env var stem (`CALLS_TABLE`). */
  id: 'Calls' | 'CallEntries' | 'Agents' | 'Interactions' | 'WorkItems' | 'WebhookReceipts';
  envVar:
    | 'CALLS_TABLE'
    | 'CALL_ENTRIES_TABLE'
    | 'AGENTS_TABLE'
    | 'INTERACTIONS_TABLE'
    | 'WORK_ITEMS_TABLE'
    | 'WEBHOOK_RECEIPTS_TABLE';
  partitionKey: string;
  /** The sort key, for a table of many items per partition key. */
  sortKey?: string;
  /** Secondary indexes by name. */
  indexes: Record<string, IndexDefinition>;
  /** Epoch-seconds attribute after which DynamoDB deletes the item (TTL on AWS; dynalite has none). */
  timeToLiveAttribute: 'expiresAt';
}

export const TABLES = {
  calls: {
    id: 'Calls',
    envVar: 'CALLS_TABLE',
    partitionKey: 'callId',
    indexes: {
      // Sparse: only calls waiting for an agent carry waitingQueue. In queue order: the highest priority
      // first, then the earliest arrival (`waitingOrder` is `<10 - priority, two digits>#<routedAt>`).
      'queue-order': { partitionKey: 'waitingQueue', sortKey: 'waitingOrder' },
      // Sparse: only answered calls whose interaction is still to be created carry interactionPending.
      'interaction-pending': { partitionKey: 'interactionPending', sortKey: 'updatedAt' },
      // Sparse: only calls being routed (queued and not waiting, or offering) carry routingState. Lets the
      // sweeper find a call whose workflow died, by how long it has not changed.
      routing: { partitionKey: 'routingState', sortKey: 'updatedAt' },
    },
    // RETENTION_DAYS after the call ended; a live call never expires.
    timeToLiveAttribute: 'expiresAt',
  },
  callEntries: {
    id: 'CallEntries',
    envVar: 'CALL_ENTRIES_TABLE',
    // One item per entry of a call's conversation or timeline: `<list>#<number>`, in the order they happened.
    partitionKey: 'callId',
    sortKey: 'entry',
    indexes: {},
    // RETENTION_DAYS (and a day) after the call was received: all the entries of a call at once.
    timeToLiveAttribute: 'expiresAt',
  },
  agents: {
    id: 'Agents',
    envVar: 'AGENTS_TABLE',
    partitionKey: 'agentId',
    indexes: {
      // Sparse: only available agents carry availability. Longest idle first.
      available: { partitionKey: 'availability', sortKey: 'idleSince' },
    },
    // Never set by the product (an agent's profile is not call data); an operator may set it to retire one.
    timeToLiveAttribute: 'expiresAt',
  },
  interactions: {
    id: 'Interactions',
    envVar: 'INTERACTIONS_TABLE',
    partitionKey: 'interactionId',
    indexes: { 'by-phone': { partitionKey: 'phone', sortKey: 'createdAt' } },
    // RETENTION_DAYS after its last change.
    timeToLiveAttribute: 'expiresAt',
  },
  workItems: {
    id: 'WorkItems',
    envVar: 'WORK_ITEMS_TABLE',
    partitionKey: 'workItemId',
    indexes: {
      'by-status': { partitionKey: 'status', sortKey: 'createdAt' },
      // An agent's own work items of one status: `agentStatus` is `<agentId>#<status>`, absent when unassigned.
      'by-agent': { partitionKey: 'agentStatus', sortKey: 'createdAt' },
    },
    // RETENTION_DAYS after it was created.
    timeToLiveAttribute: 'expiresAt',
  },
  webhookReceipts: {
    id: 'WebhookReceipts',
    envVar: 'WEBHOOK_RECEIPTS_TABLE',
    partitionKey: 'webhookId',
    indexes: {},
    // Deleted by TTL once a replay could no longer pass the signature check; readers ignore expired ones.
    timeToLiveAttribute: 'expiresAt',
  },
} as const satisfies Record<string, TableDefinition>;

export type TableKey = keyof typeof TABLES;

/** A table's secondary indexes as a list, with their names. */
export function indexesOf(table: TableDefinition): (IndexDefinition & { indexName: string })[] {
  return Object.entries(table.indexes).map(([indexName, index]) => ({ indexName, ...index }));
}

/** A table's key as DynamoDB's `KeySchema` names it: the partition key, then the sort key if it has one. */
export function keySchemaOf(table: TableDefinition): { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[] {
  return [
    { AttributeName: table.partitionKey, KeyType: 'HASH' },
    ...(table.sortKey ? [{ AttributeName: table.sortKey, KeyType: 'RANGE' as const }] : []),
  ];
}

/** Every key and index attribute is a string. */
export function keyAttributes(table: TableDefinition): string[] {
  const indexKeys = indexesOf(table).flatMap((i) => [i.partitionKey, i.sortKey]);
  return [...new Set([...keySchemaOf(table).map((k) => k.AttributeName), ...indexKeys])];
}
