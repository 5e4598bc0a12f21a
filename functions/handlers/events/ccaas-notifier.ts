import * as z from 'zod/mini';
import { WebhookDeliveryError } from '../../adapters/ccaas-webhooks.ts';
import type { CcaasWebhook } from '../../core/ports.ts';
import { ports } from '../shared/container.ts';
import { eventHandler } from '../shared/events.ts';
import { logger } from '../shared/logger.ts';

/** The bus detail: the publisher's `{id, at, callId, ...fields}`. */
const EventDetail = z.looseObject({
  id: z.string().check(z.minLength(1)),
  at: z.string().check(z.minLength(1)),
  callId: z.string().check(z.minLength(1)),
});

/** A bus event as the CCaaS receives it: `{type, id, at, data}`, data being every other field of the detail. */
export function toWebhook(type: string, detail: z.infer<typeof EventDetail>): CcaasWebhook {
  const { id, at, ...data } = detail;
  return { type, id, at, data };
}

/**
 * Behind the CcaasNotifications rule: one signed webhook to the CCaaS per call.* / interaction.* event, with
 * the event's stable id as `webhook-id` so the receiver can drop repeats. Any failure throws, so the event is
 * retried and finally dead-lettered (an alarm watches the queue): 5xx, 429, a timeout or a network error
 * because the receiver may recover; a 4xx too, because there is no way to tell EventBridge or Lambda "do not
 * retry", and the dead-letter queue is where a webhook the CCaaS refuses must end up for someone to look
 * at, rather than vanish in a log line. That costs a few pointless attempts, bounded by the retry policy.
 */
export const handler = eventHandler(EventDetail, async (detail, event) => {
  const webhook = toWebhook(event['detail-type'], detail);
  const keys = { type: webhook.type, webhookId: webhook.id };
  try {
    if (!(await ports().ccaasWebhooks.deliver(webhook))) return;
  } catch (err) {
    if (err instanceof WebhookDeliveryError && err.permanent) {
      logger.error('the CCaaS refused a webhook; it will be dead-lettered', { ...keys, error: err.message });
    }
    throw err;
  }
  logger.info('webhook delivered', keys);
});
