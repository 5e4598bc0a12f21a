import { __Client as Client } from '@aws-sdk/client-dynamodb';

/** What the functions' AWS SDK clients asked of AWS since the last reset. */
export interface SdkCounts {
  /** Requests by service (the client's name: `DynamoDB`, `SFN`...) and operation; each attempt counts. */
  requests: Record<string, Record<string, number>>;
  /**
   * DynamoDB's request units, as DynamoDB reports them for each request (the item's size: a write unit per
   * 1 KB, a read unit per 4 KB, half for an eventually consistent read). A conditional write that fails is
   * billed though DynamoDB reports nothing: it counts one write unit. Index writes are not reported, so not here.
   */
  dynamoDbUnits: { read: number; write: number };
  /** EventBridge PutEvents entries: what EventBridge bills (one per 64 KB entry). */
  events: number;
}

const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

type Args = { input: Record<string, unknown> };
type Context = { clientName?: string; commandName?: string };
type Next = (args: Args) => Promise<{ output?: Record<string, unknown> }>;
type Stack = {
  add(
    middleware: (next: Next, context: Context) => (args: Args) => Promise<unknown>,
    options: { step: string; name: string; priority?: string },
  ): void;
};

/** No request yet. */
export const emptySdkCounts = (): SdkCounts => ({
  requests: {},
  dynamoDbUnits: { read: 0, write: 0 },
  events: 0,
});
/** Two counts as one (the requests of several execution environments). */
export function addSdkCounts(a: SdkCounts, b: SdkCounts): SdkCounts {
  const requests = structuredClone(a.requests);
  for (const [service, operations] of Object.entries(b.requests)) {
    requests[service] ??= {};
    const mine = requests[service];
    for (const [operation, count] of Object.entries(operations)) {
      mine[operation] = (mine[operation] ?? 0) + count;
    }
  }
  return {
    requests,
    dynamoDbUnits: {
      read: a.dynamoDbUnits.read + b.dynamoDbUnits.read,
      write: a.dynamoDbUnits.write + b.dynamoDbUnits.write,
    },
    events: a.events + b.events,
  };
}
const nameOf = (name: string | undefined, suffix: string) => (name ?? 'Unknown').replace(suffix, '');

/**
 * Counts every request of every AWS SDK client built in this thread, by a middleware that each client's
 * stack gets before its first request: the functions' bundles leave the SDK out, so they all build their
 * clients from this thread's one SDK, whose base client class is patched here. DynamoDB requests are sent
 * with `ReturnConsumedCapacity` (when they name none), so that the units are DynamoDB's own figures; the
 * functions never read the answer's `ConsumedCapacity`. For the local runtime only: the bench's and the
 * tests' operation counts (`LocalStack.counters`).
 */
export function countSdkRequests() {
  let counts = emptySdkCounts();
  const counted = new WeakSet<object>();

  const reportCapacity = (next: Next, context: Context) => (args: Args) => {
    const operation = nameOf(context.commandName, 'Command');
    const asks =
      context.clientName === 'DynamoDBClient' &&
      (READS.has(operation) || WRITES.has(operation)) &&
      args.input.ReturnConsumedCapacity === undefined;
    return next(asks ? { ...args, input: { ...args.input, ReturnConsumedCapacity: 'TOTAL' } } : args);
  };

  const count = (next: Next, context: Context) => async (args: Args) => {
    const service = nameOf(context.clientName, 'Client');
    const operation = nameOf(context.commandName, 'Command');
    counts.requests[service] ??= {};
    const byOperation = counts.requests[service];
    byOperation[operation] = (byOperation[operation] ?? 0) + 1;
    if (service === 'EventBridge')
      counts.events += (args.input.Entries as unknown[] | undefined)?.length ?? 0;
    const units = counts.dynamoDbUnits;
    try {
      const result = await next(args);
      const consumed = result.output?.ConsumedCapacity as { CapacityUnits?: number }[] | undefined;
      // One object for a single-item request, a list (one per table) for a batch.
      for (const { CapacityUnits = 0 } of [consumed ?? []].flat()) {
        if (READS.has(operation)) units.read += CapacityUnits;
        else units.write += CapacityUnits;
      }
      return result;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') units.write += 1;
      throw error;
    }
  };

  const base = Client.prototype as unknown as {
    send: (...args: unknown[]) => unknown;
    middlewareStack: Stack;
  };
  const send = base.send;
  base.send = function sendCounted(this: typeof base, ...args: unknown[]) {
    // The document client shares its client's stack: one counter per stack.
    if (!counted.has(this.middlewareStack)) {
      counted.add(this.middlewareStack);
      this.middlewareStack.add(reportCapacity, { step: 'initialize', name: 'localCapacityReport' });
      // Inside the retry middleware (finalizeRequest, high priority): every attempt is a request.
      this.middlewareStack.add(count, {
        step: 'finalizeRequest',
        priority: 'low',
        name: 'localRequestCount',
      });
    }
    return send.apply(this, args);
  };

  return {
    read: (): SdkCounts => counts,
    reset(): void {
      counts = emptySdkCounts();
    },
  };
}
