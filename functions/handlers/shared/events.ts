import type { EventBridgeEvent, ScheduledEvent, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from 'zod/mini';
import { lambdaHandler } from './lambda.ts';
import { appendLogKeys, logger } from './logger.ts';
import { validate } from './validation.ts';

/**
 * The shape of an event rule's target: the event's detail is validated and its ids go into the logs, then
 * the use case runs. A failure is logged and thrown, so EventBridge retries the event and finally
 * dead-letters it (an alarm watches the queue): handlers behind a rule must be idempotent.
 */
export function eventHandler<S extends z.ZodMiniType>(
  schema: S,
  fn: (detail: z.infer<S>, event: EventBridgeEvent<string, unknown>) => Promise<void>,
) {
  return lambdaHandler<EventBridgeEvent<string, unknown>, void>()
    .use({
      onError: async (request) => {
        logger.warn('event not handled; EventBridge retries it, then dead-letters it', {
          detailType: request.event['detail-type'],
          error: String(request.error),
        });
      },
    })
    .handler(async (event) => {
      const detail = validate(schema, event.detail);
      appendLogKeys(detail);
      await fn(detail, event);
    });
}

/** What became of one message of a batch: `done` is deleted from the queue, `keep` stays there. */
export type MessageOutcome = 'done' | 'keep';

/**
 * The shape of a queue's consumer (an event source mapping with ReportBatchItemFailures): the messages of
 * a batch are handled at once, each on its own, and those `fn` keeps (or fails on) are reported as batch
 * item failures, so Lambda deletes the others only. A failure is logged with the message's id and never
 * fails the batch: one bad message does not hold the others back.
 */
export function queueHandler(fn: (record: SQSRecord) => Promise<MessageOutcome>) {
  return lambdaHandler<SQSEvent, SQSBatchResponse>().handler(async (event) => {
    const outcomes = await Promise.all(
      event.Records.map((record) =>
        fn(record).catch((error: unknown): MessageOutcome => {
          logger.error('message not handled; it stays on the queue', {
            messageId: record.messageId,
            error: error as Error,
          });
          return 'keep';
        }),
      ),
    );
    return {
      batchItemFailures: event.Records.filter((_, i) => outcomes[i] === 'keep').map((record) => ({
        itemIdentifier: record.messageId,
      })),
    };
  });
}

/** The shape of a scheduled function: a failure is logged and thrown (the next run tries again). */
export function scheduledHandler(fn: () => Promise<void>) {
  return lambdaHandler<ScheduledEvent, void>()
    .use({
      onError: async (request) => {
        logger.error('scheduled run failed', { error: request.error as Error });
      },
    })
    .handler(fn);
}
