import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { z } from 'zod';
import { type CcaasWebhook, makeCcaasWebhooks, WebhookDeliveryError } from '../../adapters/ccaas-webhooks.ts';
import type { DomainEventType } from '../../core/events.ts';
import { ENV } from '../catalog.ts';
import { logger } from '../shared/logger.ts';
import { webhookSecrets } from '../shared/secrets.ts';
import { validate } from '../shared/validation.ts';

/** The event types the CCaaS receives (every call.* and interaction.* one); docs/openapi.yaml has each. */
export const WEBHOOK_EVENT_TYPES = Object.keys({
  'call.offered': true,
  'call.accepted': true,
  'call.offer_rejected': true,
  'call.offer_missed': true,
  'call.offer_revoked': true,
  'call.control': true,
  'call.overflowed': true,
  'call.ended': true,
  'interaction.created': true,
} satisfies Record<Exclude<DomainEventType, 'OfferMissed'>, true>);

/** The bus detail: the publisher's `{id, at, callId, ...fields}`. */
const EventDetail = z.looseObject({
  id: z.string().min(1),
  at: z.string().min(1),
  callId: z.string().min(1),
});

/** A bus event as the CCaaS receives it: `{type, id, at, data}`, data being every other field of the detail. */
export function toWebhook(type: string, detail: unknown): CcaasWebhook {
  const { id, at, ...data } = validate(EventDetail, detail);
  return { type, id, at, data };
}

const webhookUrl = () => process.env[ENV.ccaasWebhookUrl] ?? '';
const webhooks = makeCcaasWebhooks({ url: webhookUrl, secrets: webhookSecrets });
let toldNoUrl = false;

/**
 * Behind the CcaasNotifications rule: one signed webhook to the CCaaS per call.* / interaction.* event, with
 * the event's stable id as `webhook-id` so the receiver can drop repeats. Any failure throws, so the event is
 * retried and finally dead-lettered (an alarm watches the queue): 5xx, 429, a timeout or a network error
 * because the receiver may recover; a 4xx too, because there is no way to tell EventBridge or Lambda "do not
 * retry", and the dead-letter queue is where a webhook the CCaaS refuses must end up for someone to look
 * at, rather than vanish in a log line. That costs a few pointless attempts, bounded by the retry policy.
 */
export const handler = middy<EventBridgeEvent<string, unknown>, void>().handler(async (event) => {
  if (!webhookUrl()) {
    if (!toldNoUrl) logger.info(`${ENV.ccaasWebhookUrl} is not set: no webhooks are delivered to the CCaaS`);
    toldNoUrl = true;
    return;
  }
  const webhook = toWebhook(event['detail-type'], event.detail);
  const keys = { type: webhook.type, webhookId: webhook.id, callId: webhook.data.callId };
  try {
    await webhooks.deliver(webhook);
  } catch (err) {
    if (err instanceof WebhookDeliveryError && err.permanent) {
      logger.error('the CCaaS refused a webhook; it will be dead-lettered', { ...keys, error: err.message });
    } else logger.warn('webhook not delivered; it will be retried', { ...keys, error: String(err) });
    throw err;
  }
  logger.info('webhook delivered', keys);
});
