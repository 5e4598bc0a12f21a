import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  SendMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { WebhookOutbox } from '../core/ports.ts';
import { DEAD_LETTER_ATTRIBUTES } from '../manifest/queues.ts';

export interface WebhookOutboxQueues {
  outboxUrl: () => string;
  outboxArn: () => string;
  deadLettersUrl: () => string;
  deadLettersArn: () => string;
}

/**
 * The outbox and its dead-letter queue on SQS. A dead letter is a new message with the original body (the
 * bus event, so the webhook keeps its id) and the reason as message attributes; the notifier then reports
 * the original done, and the event source mapping deletes it. A redrive is SQS's own message move task
 * from the dead-letter queue to the outbox: moved messages are new ones there, with a new enqueue time, so
 * each gets the schedule's whole age again. Each queue is named by a function of the environment, read at
 * first use, so that a function that never makes a move needs no variable for it.
 */
export function makeWebhookOutbox(sqs: SQSClient, queues: WebhookOutboxQueues): WebhookOutbox {
  return {
    async retryLater(receiptHandle, seconds) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queues.outboxUrl(),
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    },
    async deadLetter(body, reason) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queues.deadLettersUrl(),
          MessageBody: body,
          MessageAttributes: {
            [DEAD_LETTER_ATTRIBUTES.error]: { DataType: 'String', StringValue: reason.error.slice(0, 1000) },
            [DEAD_LETTER_ATTRIBUTES.attempts]: { DataType: 'Number', StringValue: String(reason.attempts) },
          },
        }),
      );
    },
    async redrive({ messagesPerSecond }) {
      const SourceArn = queues.deadLettersArn();
      // SQS runs one move per queue at a time: a second request gets the one under way.
      const { Results: [latest] = [] } = await sqs.send(
        new ListMessageMoveTasksCommand({ SourceArn, MaxResults: 1 }),
      );
      if (latest?.Status === 'RUNNING' && latest.TaskHandle) {
        return { taskHandle: latest.TaskHandle, messages: latest.ApproximateNumberOfMessagesToMove ?? 0 };
      }
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queues.deadLettersUrl(),
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      );
      const { TaskHandle } = await sqs.send(
        new StartMessageMoveTaskCommand({
          SourceArn,
          DestinationArn: queues.outboxArn(),
          ...(messagesPerSecond ? { MaxNumberOfMessagesPerSecond: messagesPerSecond } : {}),
        }),
      );
      if (!TaskHandle) throw new Error('SQS started a message move task without a handle');
      return { taskHandle: TaskHandle, messages: Number(Attributes?.ApproximateNumberOfMessages ?? 0) };
    },
  };
}
