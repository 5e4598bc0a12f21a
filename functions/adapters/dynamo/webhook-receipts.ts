import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { StoredResponse, WebhookReceipts } from '../../core/ports.ts';

interface ReceiptItem {
  webhookId: string;
  fingerprint: string;
  state: 'pending' | 'done';
  /** Epoch seconds; DynamoDB's TTL attribute. */
  expiresAt: number;
  /** Epoch seconds until which a pending claim is held; past it, the holder is presumed dead. */
  leaseUntil?: number;
  response?: StoredResponse;
}

export interface WebhookReceiptsOptions {
  doc: DynamoDBDocumentClient;
  tableName: () => string;
  now?: () => Date;
  /** How long a pending claim holds before another request may take it over (a crashed handler). */
  leaseSeconds?: number;
}

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** A receipt that still counts: not expired, and not a pending claim whose holder is presumed dead. */
function isLive(item: ReceiptItem, at: number): boolean {
  return item.expiresAt >= at && !(item.state === 'pending' && (item.leaseUntil ?? 0) < at);
}

/**
 * Receipts in a DynamoDB table, one item per webhook-id, written with single-item conditional puts. TTL
 * deletes expired items on AWS, but only eventually (and dynalite never does), so every condition and read
 * treats an expired receipt, or a pending one whose lease ran out, as absent.
 */
export function makeWebhookReceipts({
  doc,
  tableName,
  now = () => new Date(),
  leaseSeconds = 30,
}: WebhookReceiptsOptions): WebhookReceipts {
  const isCheckFailure = (err: unknown) => err instanceof ConditionalCheckFailedException;
  /** Settles a pending claim; one settled already (by a request that took an expired lease over) stands. */
  const whilePending = async (write: UpdateCommand | DeleteCommand): Promise<void> => {
    try {
      await doc.send(write);
    } catch (err) {
      if (!isCheckFailure(err)) throw err;
    }
  };
  return {
    async claim(webhookId, fingerprint, expiresAt) {
      // Two rounds: a receipt that is gone or dead by the time we read it (released, expired, lease run
      // out) is claimed on the second.
      for (let round = 0; round < 2; round++) {
        const at = epochSeconds(now());
        const item: ReceiptItem = {
          webhookId,
          fingerprint,
          state: 'pending',
          expiresAt: epochSeconds(expiresAt),
          leaseUntil: at + leaseSeconds,
        };
        try {
          await doc.send(
            new PutCommand({
              TableName: tableName(),
              Item: item,
              // Not isLive(existing), as a condition.
              ConditionExpression:
                'attribute_not_exists(webhookId) OR expiresAt < :now OR (#state = :pending AND leaseUntil < :now)',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: { ':now': at, ':pending': 'pending' },
            }),
          );
          return { outcome: 'claimed' };
        } catch (err) {
          if (!isCheckFailure(err)) throw err;
        }
        // Not ReturnValuesOnConditionCheckFailure: dynalite does not support it. A strongly consistent
        // read instead, with the same idea of a live receipt as the condition.
        const { Item } = await doc.send(
          new GetCommand({ TableName: tableName(), Key: { webhookId }, ConsistentRead: true }),
        );
        const existing = Item as ReceiptItem | undefined;
        if (existing && isLive(existing, epochSeconds(now()))) {
          if (existing.fingerprint !== fingerprint) return { outcome: 'conflict' };
          if (existing.state === 'done' && existing.response) {
            return { outcome: 'answered', response: existing.response };
          }
          return { outcome: 'in_progress' };
        }
      }
      return { outcome: 'in_progress' };
    },

    complete: (webhookId, response) =>
      whilePending(
        new UpdateCommand({
          TableName: tableName(),
          Key: { webhookId },
          UpdateExpression: 'SET #state = :done, #response = :response REMOVE leaseUntil',
          ConditionExpression: '#state = :pending',
          ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
          ExpressionAttributeValues: { ':done': 'done', ':pending': 'pending', ':response': response },
        }),
      ),

    release: (webhookId) =>
      whilePending(
        new DeleteCommand({
          TableName: tableName(),
          Key: { webhookId },
          ConditionExpression: '#state = :pending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':pending': 'pending' },
        }),
      ),
  };
}
