import type { Refusal } from './grants.ts';
import type { LocalSqs, ReceivedMessage } from './sqs.ts';

export interface EventSourceMappingOptions {
  sqs: LocalSqs;
  /** The queue polled (its key in the manifest) and its ARN, as the records name it. */
  queue: string;
  queueArn: string;
  region: string;
  batchSize: number;
  /** The function, by its name in messages, and how to invoke it with an SQS event. */
  functionName: string;
  invoke: (event: unknown) => Promise<unknown>;
  /** IAM: whether the function's role may perform an SQS action on the queue. */
  authorize: (action: string) => Refusal | undefined;
  onError: (message: string, error: unknown) => void;
}

/** How many batches are handled at once, as the five pollers Lambda starts a mapping with. */
const CONCURRENT_BATCHES = 5;
/** What Lambda needs of the function's role to poll a queue (it checks them when the mapping is made). */
const POLLING_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

/**
 * Lambda's SQS event source mapping on one machine, with ReportBatchItemFailures: it polls the queue with
 * the function's own rights, invokes the function with batches of up to `batchSize` messages as Lambda
 * does (`{Records: [...]}`), then deletes what the function did not report failed. A message reported, and
 * a whole batch whose invocation failed or whose answer is not a valid batch response, stay on the queue:
 * they are received again once their visibility timeout ends.
 */
export function startEventSourceMapping(options: EventSourceMappingOptions) {
  const inFlight = new Set<Promise<void>>();
  const stopping = new AbortController();

  const record = (message: ReceivedMessage) => ({
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: message.attributes,
    messageAttributes: Object.fromEntries(
      Object.entries(message.messageAttributes).map(([name, value]) => [
        name,
        {
          dataType: value.DataType,
          ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
          ...(value.BinaryValue !== undefined ? { binaryValue: value.BinaryValue } : {}),
          stringListValues: [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: message.md5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn,
    awsRegion: options.region,
  });

  /**
   * The ids the function reported failed; every id of the batch when the answer is not a valid batch
   * response (an item without an identifier, or naming no message of the batch), as Lambda reads it.
   */
  function failedIds(answer: unknown, batch: ReceivedMessage[]): Set<string> {
    const all = new Set(batch.map((m) => m.messageId));
    const failures = (answer as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
    if (failures === undefined || failures === null) return new Set();
    if (!Array.isArray(failures)) return all;
    const ids = failures.map((f) => (f as { itemIdentifier?: unknown } | null)?.itemIdentifier);
    if (ids.some((id) => typeof id !== 'string' || !all.has(id))) {
      options.onError(`${options.functionName} answered an invalid batch response`, JSON.stringify(answer));
      return all;
    }
    return new Set(ids as string[]);
  }

  async function handle(batch: ReceivedMessage[]): Promise<void> {
    let failed: Set<string>;
    try {
      failed = failedIds(await options.invoke({ Records: batch.map(record) }), batch);
    } catch (error) {
      // The function failed: the whole batch comes back once its visibility timeout ends.
      options.onError(`${options.functionName} failed on a batch of ${options.queue}`, error);
      return;
    }
    for (const message of batch) {
      if (!failed.has(message.messageId)) options.sqs.deleteMessage(options.queue, message.receiptHandle);
    }
  }

  async function poll(): Promise<void> {
    while (!stopping.signal.aborted) {
      if (inFlight.size >= CONCURRENT_BATCHES) {
        await Promise.race(inFlight);
        continue;
      }
      const batch = await options.sqs.receive(options.queue, options.batchSize, stopping.signal);
      // Only a mapping stopping, or the queue closing, ends a poll with nothing.
      if (batch.length === 0) return;
      const run = handle(batch);
      inFlight.add(run);
      void run.finally(() => inFlight.delete(run));
    }
  }

  const refused = POLLING_ACTIONS.map((action) => options.authorize(action)).find(Boolean);
  const polling = refused ? Promise.resolve() : poll();
  if (refused) {
    options.onError(`${options.functionName} may not poll ${options.queue}`, refused.message);
  }

  return {
    /** Stops polling and waits for the batches under way. */
    async close(): Promise<void> {
      stopping.abort();
      await polling;
      await Promise.allSettled([...inFlight]);
    },
  };
}
