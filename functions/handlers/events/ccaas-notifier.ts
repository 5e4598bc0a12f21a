import * as z from 'zod/mini';
import { WebhookDeliveryError } from '../../adapters/ccaas-webhooks.ts';
import type { CcaasWebhook } from '../../core/ports.ts';
import { nextWebhookAttempt } from '../../core/webhook-retry.ts';
import { WEBHOOK_RETRY_LOG } from '../../manifest/queues.ts';
import { ports } from '../shared/container.ts';
import { type MessageOutcome, queueHandler } from '../shared/events.ts';
import { logger } from '../shared/logger.ts';

/** The bus detail: the publisher's `{id, at, callId, ...fields}`. */
const EventDetail = z.looseObject({
  id: z.string().check(z.minLength(1)),
  at: z.string().check(z.minLength(1)),
  callId: z.string().check(z.minLength(1)),
});

/** An outbox message: the bus event as the rule put it there. */
const OutboxMessage = z.looseObject({ 'detail-type': z.string().check(z.minLength(1)), detail: EventDetail });

/** A bus event as the CCaaS receives it: `{type, id, at, data}`, data being every other field of the detail. */
export function toWebhook(type: string, detail: z.infer<typeof EventDetail>): CcaasWebhook {
  const { id, at, ...data } = detail;
  return { type, id, at, data };
}

/**
 * Behind the webhook outbox: one signed webhook to the CCaaS per call.* / interaction.* event, with the
 * event's stable id as `webhook-id` (the same on every attempt, so the receiver can drop repeats).
 *
 * Why a queue: EventBridge retries only its own delivery to a target, and Lambda's asynchronous retries are
 * two at most, within six hours; a CCaaS down for longer than minutes would have sent webhooks to the
 * dead-letter queue. On the outbox, a webhook the CCaaS did not take stays, out of sight until its next
 * attempt (ChangeMessageVisibility: the backoff of core/webhook-retry.ts, from the message's receive count),
 * and is reported as a batch item failure so Lambda keeps it. Once it is as old as the schedule's maximum
 * age (from the message's SentTimestamp), or at once when the CCaaS refused it (a 4xx other than 408/429),
 * a copy goes to the dead-letter queue with the reason, and the original is reported done. Dead letters go
 * back to the outbox with a redrive (POST /v1/dead-letters/redrive).
 */
export const handler = queueHandler(async (record): Promise<MessageOutcome> => {
  const { ccaasWebhooks, webhookOutbox, settings, clock, metrics } = ports();
  const attempt = Number(record.attributes.ApproximateReceiveCount);
  const message = OutboxMessage.safeParse(safeJson(record.body));
  if (!message.success) {
    logger.error('an outbox message is not a bus event; it is dead-lettered', {
      messageId: record.messageId,
    });
    const error = `InvalidMessage: ${message.error.issues.map((i) => i.message).join('; ')}`;
    await webhookOutbox.deadLetter(record.body, { error, attempts: attempt });
    return 'done';
  }
  const webhook = toWebhook(message.data['detail-type'], message.data.detail);
  const keys = { type: webhook.type, webhookId: webhook.id, callId: message.data.detail.callId, attempt };
  try {
    if (await ccaasWebhooks.deliver(webhook)) logger.info('webhook delivered', keys);
    return 'done';
  } catch (err) {
    if (!(err instanceof WebhookDeliveryError)) throw err;
    metrics.record('WebhookDeliveryFailed', 1);
    const ageSeconds = (clock.now().getTime() - Number(record.attributes.SentTimestamp)) / 1000;
    const next = nextWebhookAttempt(settings, { attempt, ageSeconds, refused: err.permanent });
    const error = `${err.name}: ${err.message}`;
    if ('retryInSeconds' in next) {
      await webhookOutbox.retryLater(record.receiptHandle, next.retryInSeconds);
      logger.warn(WEBHOOK_RETRY_LOG.message, {
        ...keys,
        [WEBHOOK_RETRY_LOG.ageField]: ageSeconds,
        retryInSeconds: next.retryInSeconds,
        error,
      });
      return 'keep';
    }
    await webhookOutbox.deadLetter(record.body, { error, attempts: attempt });
    logger.error('webhook dead-lettered', { ...keys, ageSeconds, reason: next.deadLetter, error });
    return 'done';
  }
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
