import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type AwsService, jsonProtocolService } from './aws-endpoint.ts';
import { ApiError, createApiHandler } from './aws-json-api.ts';
import type { JsonObject } from './stepfunctions/util.ts';

/** A queue of the local SQS, as the stack would create it. */
export interface LocalQueueConfig {
  /** The queue's key in the manifest. */
  key: string;
  /** Its name: the last part of its URL and its ARN. */
  name: string;
  visibilityTimeoutSeconds: number;
  retentionSeconds: number;
  /** The redrive policy: where a message goes once received `maxReceiveCount` times without being deleted. */
  redrive?: { deadLetters: string; maxReceiveCount: number };
}

/** A message attribute, as SendMessage takes it and ReceiveMessage gives it back. */
interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

/** A message in a queue. */
export interface QueuedMessage {
  id: string;
  body: string;
  md5: string;
  attributes: Record<string, MessageAttribute>;
  /** When it was enqueued (ms): SentTimestamp. A message moved by the redrive policy keeps it. */
  sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** When it was last received (ms): a visibility timeout ends at most 12 hours after it. */
  receivedAt?: number;
  /** Until when it is out of sight (ms): delayed, or received and not yet deleted. */
  visibleAt: number;
  /** The latest receipt handle: only it deletes or changes the message. */
  receipt?: string;
}

/** A received message, with everything Lambda's event source mapping passes on. */
export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  attributes: {
    ApproximateReceiveCount: string;
    SentTimestamp: string;
    SenderId: string;
    ApproximateFirstReceiveTimestamp: string;
  };
  messageAttributes: Record<string, MessageAttribute>;
}

interface Queue extends LocalQueueConfig {
  arn: string;
  messages: Map<string, QueuedMessage>;
  /** Receivers waiting for a message (long polling): woken by a send, a visibility change, closing. */
  waiters: Set<() => void>;
}

interface MoveTask {
  TaskHandle: string;
  Status: 'RUNNING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';
  SourceArn: string;
  DestinationArn: string;
  ApproximateNumberOfMessagesMoved: number;
  ApproximateNumberOfMessagesToMove: number;
  StartedTimestamp: number;
}

/** SQS's limits, which the local queues enforce as SQS does. */
const MAX_VISIBILITY_SECONDS = 12 * 3600;
const MAX_WAIT_SECONDS = 20;
const MAX_BATCH = 10;
const MAX_BODY_BYTES = 256 * 1024;
const MAX_DELAY_SECONDS = 900;
const MAX_ATTRIBUTES = 10;
/** The longest delay a timer takes (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** The sender id every local message carries (an account's root, as SQS shows it for a service). */
const SENDER_ID = 'AIDAIENQZJOLO23YVJ4VO';

const invalid = (message: string) => new ApiError('InvalidParameterValue', message);
const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/**
 * SQS on one machine, for the queues of the manifest: what the product uses of it (SendMessage,
 * ReceiveMessage with long polling, DeleteMessage, ChangeMessageVisibility, GetQueueAttributes, and the
 * dead-letter queue redrive: StartMessageMoveTask, ListMessageMoveTasks), through the AWS JSON protocol the
 * SDK speaks, with SQS's rules and limits: visibility timeouts (12 hours at most from the receive), only a
 * message's latest receipt handle acts on it, the redrive policy's maximum receive count, retention. The
 * runtime's own parts (the bus's rule targets, the event source mappings) use it in process. Queues are in
 * memory: they do not outlive the process.
 */
export function createLocalSqs(options: { account: string; region: string; queues: LocalQueueConfig[] }) {
  const arnOf = (name: string) => `arn:aws:sqs:${options.region}:${options.account}:${name}`;
  const queues = new Map<string, Queue>(
    options.queues.map((q) => [q.key, { ...q, arn: arnOf(q.name), messages: new Map(), waiters: new Set() }]),
  );
  const tasks: MoveTask[] = [];
  let closed = false;

  function queueOf(key: string): Queue {
    const queue = queues.get(key);
    if (!queue) throw new Error(`no local queue ${key}`);
    return queue;
  }

  /** The queue a request names by URL (`…/<account>/<name>`) or ARN; SQS's own error when none. */
  function named(urlOrArn: unknown, by: 'QueueUrl' | 'SourceArn' | 'DestinationArn'): Queue {
    if (typeof urlOrArn !== 'string' || urlOrArn === '') {
      throw new ApiError('MissingParameter', `The request must contain the parameter ${by}.`);
    }
    const [account, name] =
      by === 'QueueUrl'
        ? new URL(urlOrArn, 'http://localhost').pathname.split('/').slice(1)
        : urlOrArn.split(':').slice(4);
    const queue = [...queues.values()].find((q) => q.name === name);
    if (!queue || account !== options.account) {
      if (by === 'QueueUrl') throw new ApiError('QueueDoesNotExist', 'The specified queue does not exist.');
      throw new ApiError('ResourceNotFoundException', `The resource ${urlOrArn} does not exist.`);
    }
    return queue;
  }

  function wake(queue: Queue): void {
    for (const waiter of queue.waiters) waiter();
    queue.waiters.clear();
  }

  /** Resolves when a message of the queue may have become visible, or at `until` (ms), or on closing. */
  function nextChance(queue: Queue, until: number, signal?: AbortSignal): Promise<void> {
    const now = Date.now();
    let soonest = until;
    for (const message of queue.messages.values()) {
      if (message.visibleAt > now && message.visibleAt < soonest) soonest = message.visibleAt;
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        queue.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      // Nothing in flight and no deadline (the event source mapping's poll): only a wake ends the wait.
      const timer = Number.isFinite(soonest)
        ? setTimeout(done, Math.min(MAX_TIMER_MS, Math.max(0, soonest - now)))
        : undefined;
      queue.waiters.add(done);
      signal?.addEventListener('abort', done);
    });
  }

  function enqueue(queue: Queue, body: string, attributes: Record<string, MessageAttribute>, delay = 0) {
    const now = Date.now();
    const message: QueuedMessage = {
      id: randomUUID(),
      body,
      md5: md5(body),
      attributes,
      sentAt: now,
      receiveCount: 0,
      visibleAt: now + delay * 1000,
    };
    queue.messages.set(message.id, message);
    wake(queue);
    return message;
  }

  /** Takes up to `max` visible messages, out of sight for `visibilitySeconds`; applies retention and redrive. */
  function take(queue: Queue, max: number, visibilitySeconds: number): ReceivedMessage[] {
    const now = Date.now();
    const out: ReceivedMessage[] = [];
    for (const message of queue.messages.values()) {
      if (out.length >= max) break;
      if (message.visibleAt > now) continue;
      if (now - message.sentAt >= queue.retentionSeconds * 1000) {
        queue.messages.delete(message.id);
        continue;
      }
      if (queue.redrive && message.receiveCount >= queue.redrive.maxReceiveCount) {
        // As SQS does: the message moves as it is, its enqueue time unchanged.
        queue.messages.delete(message.id);
        const deadLetters = queueOf(queue.redrive.deadLetters);
        const { id, body, md5: hash, attributes, sentAt } = message;
        deadLetters.messages.set(id, {
          id,
          body,
          md5: hash,
          attributes,
          sentAt,
          receiveCount: 0,
          visibleAt: now,
        });
        wake(deadLetters);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.receivedAt = now;
      message.visibleAt = now + visibilitySeconds * 1000;
      message.receipt = `${Buffer.from(queue.name).toString('base64url')}.${message.id}.${randomBytes(12).toString('hex')}`;
      out.push({
        messageId: message.id,
        receiptHandle: message.receipt,
        body: message.body,
        md5OfBody: message.md5,
        attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(message.sentAt),
          SenderId: SENDER_ID,
          ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
        },
        messageAttributes: message.attributes,
      });
    }
    return out;
  }

  /** Up to `max` messages, waiting up to `waitSeconds` for one (long polling); none once closed or aborted. */
  async function receive(
    queue: Queue,
    max: number,
    visibilitySeconds: number,
    waitSeconds: number,
    signal?: AbortSignal,
  ) {
    const until = Date.now() + waitSeconds * 1000;
    for (;;) {
      const over = closed || signal?.aborted;
      const messages = over ? [] : take(queue, max, visibilitySeconds);
      if (messages.length > 0 || over || Date.now() >= until) return messages;
      await nextChance(queue, until, signal);
    }
  }

  /** The message a receipt handle names, if the handle has SQS's shape; ReceiptHandleIsInvalid otherwise. */
  function byReceipt(queue: Queue, handle: unknown): QueuedMessage | undefined {
    const parts = typeof handle === 'string' ? handle.split('.') : [];
    if (parts.length !== 3 || parts[0] !== Buffer.from(queue.name).toString('base64url')) {
      throw new ApiError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${String(handle)}" is not valid.`,
      );
    }
    const message = queue.messages.get(parts[1] as string);
    return message?.receipt === handle ? message : undefined;
  }

  function deleteMessage(queue: Queue, handle: unknown): void {
    // A handle of a message deleted already, or received again since, deletes nothing, and succeeds.
    const message = byReceipt(queue, handle);
    if (message) queue.messages.delete(message.id);
  }

  const whole = (body: JsonObject, key: string, min: number, max: number, fallback?: number) => {
    const value = body[key] ?? fallback;
    if (value === undefined)
      throw new ApiError('MissingParameter', `The request must contain the parameter ${key}.`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw invalid(
        `Value ${String(value)} for parameter ${key} is invalid. Reason: must be between ${min} and ${max}.`,
      );
    }
    return value;
  };

  function messageAttributes(value: unknown): Record<string, MessageAttribute> {
    if (value === undefined) return {};
    if (typeof value !== 'object' || value === null) throw invalid('MessageAttributes must be a map.');
    const entries = Object.entries(value as Record<string, MessageAttribute>);
    if (entries.length > MAX_ATTRIBUTES)
      throw invalid(
        `Number of message attributes [${entries.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`,
      );
    for (const [name, attribute] of entries) {
      const type = attribute?.DataType ?? '';
      const base = type.split('.')[0];
      if (!['String', 'Number', 'Binary'].includes(base ?? ''))
        throw invalid(`The message attribute '${name}' has an invalid message attribute type.`);
      const text = base === 'Binary' ? attribute.BinaryValue : attribute.StringValue;
      if (!text)
        throw invalid(
          `The message attribute '${name}' must contain a non-empty value of message attribute type '${type}'.`,
        );
      if (base === 'Number' && !Number.isFinite(Number(text)))
        throw invalid(`Can't cast the value of message (user) attribute '${name}' to a number.`);
    }
    return Object.fromEntries(entries);
  }

  function queueAttributes(queue: Queue): Record<string, string> {
    const now = Date.now();
    const messages = [...queue.messages.values()];
    return {
      QueueArn: queue.arn,
      ApproximateNumberOfMessages: String(messages.filter((m) => m.visibleAt <= now).length),
      ApproximateNumberOfMessagesNotVisible: String(
        messages.filter((m) => m.visibleAt > now && m.receiveCount > 0).length,
      ),
      ApproximateNumberOfMessagesDelayed: String(
        messages.filter((m) => m.visibleAt > now && m.receiveCount === 0).length,
      ),
      VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(queue.retentionSeconds),
      ...(queue.redrive
        ? {
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: queueOf(queue.redrive.deadLetters).arn,
              maxReceiveCount: queue.redrive.maxReceiveCount,
            }),
          }
        : {}),
    };
  }

  /** Moves every message in sight from `source` to `destination`: new messages there, as SQS's redrive does. */
  function move(source: Queue, destination: Queue): MoveTask {
    const now = Date.now();
    const moving = [...source.messages.values()].filter((m) => m.visibleAt <= now);
    for (const message of moving) {
      source.messages.delete(message.id);
      enqueue(destination, message.body, message.attributes);
    }
    const task: MoveTask = {
      TaskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn: source.arn })).toString(
        'base64',
      ),
      Status: 'COMPLETED',
      SourceArn: source.arn,
      DestinationArn: destination.arn,
      ApproximateNumberOfMessagesMoved: moving.length,
      ApproximateNumberOfMessagesToMove: moving.length,
      StartedTimestamp: now,
    };
    tasks.unshift(task);
    tasks.splice(MAX_BATCH * 10);
    return task;
  }

  const api = createApiHandler({
    SendMessage: (body) => {
      const queue = named(body.QueueUrl, 'QueueUrl');
      const text = body.MessageBody;
      if (typeof text !== 'string' || text === '') {
        throw new ApiError('MissingParameter', 'The request must contain the parameter MessageBody.');
      }
      if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
        throw invalid(
          `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_BODY_BYTES} bytes.`,
        );
      }
      const message = enqueue(
        queue,
        text,
        messageAttributes(body.MessageAttributes),
        whole(body, 'DelaySeconds', 0, MAX_DELAY_SECONDS, 0),
      );
      return { MessageId: message.id, MD5OfMessageBody: message.md5 };
    },
    ReceiveMessage: async (body) => {
      const queue = named(body.QueueUrl, 'QueueUrl');
      const max = whole(body, 'MaxNumberOfMessages', 1, MAX_BATCH, 1);
      const visibility = whole(
        body,
        'VisibilityTimeout',
        0,
        MAX_VISIBILITY_SECONDS,
        queue.visibilityTimeoutSeconds,
      );
      const wait = whole(body, 'WaitTimeSeconds', 0, MAX_WAIT_SECONDS, 0);
      const asked = new Set([
        ...((body.MessageSystemAttributeNames as string[] | undefined) ?? []),
        ...((body.AttributeNames as string[] | undefined) ?? []),
      ]);
      const askedAttributes = new Set((body.MessageAttributeNames as string[] | undefined) ?? []);
      const messages = await receive(queue, max, visibility, wait);
      if (messages.length === 0) return {};
      return {
        Messages: messages.map((m) => {
          const attributes = Object.entries(m.attributes).filter(
            ([name]) => asked.has('All') || asked.has(name),
          );
          const userAttributes = Object.entries(m.messageAttributes).filter(
            ([name]) => askedAttributes.has('All') || askedAttributes.has('.*') || askedAttributes.has(name),
          );
          return {
            MessageId: m.messageId,
            ReceiptHandle: m.receiptHandle,
            MD5OfBody: m.md5OfBody,
            Body: m.body,
            ...(attributes.length ? { Attributes: Object.fromEntries(attributes) } : {}),
            ...(userAttributes.length ? { MessageAttributes: Object.fromEntries(userAttributes) } : {}),
          };
        }),
      };
    },
    DeleteMessage: (body) => {
      deleteMessage(named(body.QueueUrl, 'QueueUrl'), body.ReceiptHandle);
      return {};
    },
    ChangeMessageVisibility: (body) => {
      const queue = named(body.QueueUrl, 'QueueUrl');
      const seconds = whole(body, 'VisibilityTimeout', 0, MAX_VISIBILITY_SECONDS);
      const message = byReceipt(queue, body.ReceiptHandle);
      const now = Date.now();
      if (!message || message.visibleAt <= now) {
        throw new ApiError('MessageNotInflight', 'The message referred to is not in flight.');
      }
      if (now + seconds * 1000 - (message.receivedAt ?? now) > MAX_VISIBILITY_SECONDS * 1000) {
        throw invalid(
          `Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [${MAX_VISIBILITY_SECONDS} seconds].`,
        );
      }
      message.visibleAt = now + seconds * 1000;
      if (seconds === 0) wake(queue);
      return {};
    },
    GetQueueAttributes: (body) => {
      const all = queueAttributes(named(body.QueueUrl, 'QueueUrl'));
      const asked = (body.AttributeNames as string[] | undefined) ?? [];
      const unknown = asked.find((name) => name !== 'All' && !(name in all));
      if (unknown) throw new ApiError('InvalidAttributeName', `Unknown Attribute ${unknown}.`);
      const attributes = Object.entries(all).filter(
        ([name]) => asked.includes('All') || asked.includes(name),
      );
      return attributes.length ? { Attributes: Object.fromEntries(attributes) } : {};
    },
    StartMessageMoveTask: (body) => {
      const source = named(body.SourceArn, 'SourceArn');
      if (![...queues.values()].some((q) => q.redrive?.deadLetters === source.key)) {
        throw new ApiError('UnsupportedOperation', 'Source queue must be configured as a Dead Letter Queue.');
      }
      if (body.DestinationArn === undefined) {
        throw new ApiError('UnsupportedOperation', 'The local SQS moves messages to a DestinationArn only.');
      }
      whole(body, 'MaxNumberOfMessagesPerSecond', 1, 500, 500);
      return { TaskHandle: move(source, named(body.DestinationArn, 'DestinationArn')).TaskHandle };
    },
    ListMessageMoveTasks: (body) => {
      const source = named(body.SourceArn, 'SourceArn');
      const max = whole(body, 'MaxResults', 1, MAX_BATCH, 1);
      const results = tasks.filter((t) => t.SourceArn === source.arn).slice(0, max);
      // A task's handle is only given while it runs (it is what cancels it).
      return {
        Results: results.map(({ TaskHandle, ...t }) => (t.Status === 'RUNNING' ? { TaskHandle, ...t } : t)),
      };
    },
  });

  return {
    /** An AWS JSON-protocol request (`AmazonSQS.<operation>`), once IAM allowed it. */
    handle: api,
    arnOf: (key: string) => queueOf(key).arn,
    /** The queue's URL on the local AWS endpoint. */
    urlOf: (key: string, endpoint: string) => `${endpoint}/${options.account}/${queueOf(key).name}`,
    /** SendMessage from within the runtime (an event rule's target). */
    send(key: string, body: string): void {
      enqueue(queueOf(key), body, {});
    },
    /** ReceiveMessage as Lambda's event source mapping polls: up to `max`, waiting for one until aborted. */
    receive: (key: string, max: number, signal: AbortSignal) => {
      const queue = queueOf(key);
      return receive(queue, max, queue.visibilityTimeoutSeconds, Number.POSITIVE_INFINITY, signal);
    },
    deleteMessage: (key: string, receiptHandle: string) => deleteMessage(queueOf(key), receiptHandle),
    /** The messages of a queue, oldest first, without receiving them (the local dead-letters route). */
    messagesOf: (key: string): readonly QueuedMessage[] => [...queueOf(key).messages.values()],
    /** Ends every long poll; nothing is received any more. */
    close(): void {
      closed = true;
      for (const queue of queues.values()) wake(queue);
    },
  };
}

export type LocalSqs = ReturnType<typeof createLocalSqs>;

/** The local SQS as a service of the local AWS endpoint (`AmazonSQS.<operation>`, AWS JSON 1.0). */
export function sqsService(sqs: LocalSqs): { iam: string; handle: AwsService } {
  return jsonProtocolService('sqs', '1.0', (operation, body) => sqs.handle(operation, body || '{}'));
}
