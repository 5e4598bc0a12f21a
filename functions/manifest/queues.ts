import type { Settings } from '../core/deps.ts';
import type { EventRuleKey } from './event-rules.ts';
import { webhookOutboxMaxReceiveCount } from './settings.ts';

/**
 * The SQS queues, as plain data for the CDK app and the local runtime (which emulates them). A queue fed
 * by an event rule is that rule's target; the function triggered by it consumes it (catalog); its dead
 * letters go to another queue of this list.
 */

export type QueueKey = 'webhookOutbox' | 'webhookDeadLetters';

export interface QueueDefinition {
  /** Construct id in the stack; the queue's name locally. */
  id: string;
  /** The variables that hold its URL and its ARN, for the functions whose access names the queue. */
  urlVar: string;
  arnVar: string;
  /** The event rule whose events the queue receives, one message per event (its body the whole event). */
  rule?: EventRuleKey;
  /** How long a received message stays out of sight (the queue's default visibility timeout). */
  visibilityTimeoutSeconds: number;
  /** How long the queue keeps a message (SQS's longest: 14 days). */
  retentionDays: number;
  /** Where SQS moves a message received `maxReceiveCount` times without being deleted (redrive policy). */
  deadLetters?: { queue: QueueKey; maxReceiveCount: (settings: Settings) => number };
}

export const QUEUES: Record<QueueKey, QueueDefinition> = {
  /**
   * The webhooks to the CCaaS, each a call.* or interaction.* event of the bus, waiting for delivery:
   * a webhook the CCaaS does not take stays here, retried on the schedule of core/webhook-retry.ts.
   */
  webhookOutbox: {
    id: 'CcaasWebhookOutbox',
    urlVar: 'WEBHOOK_OUTBOX_URL',
    arnVar: 'WEBHOOK_OUTBOX_ARN',
    rule: 'ccaasNotifications',
    // Six times the notifier's timeout, as AWS advises for a queue a function consumes.
    visibilityTimeoutSeconds: 60,
    // Beyond the longest a webhook may wait (settings: a week).
    retentionDays: 14,
    deadLetters: { queue: 'webhookDeadLetters', maxReceiveCount: webhookOutboxMaxReceiveCount },
  },
  /**
   * The webhooks given up (refused by the CCaaS, or still not taken at the schedule's maximum age), and the
   * events the rule could not put in the outbox; the name it has always had, and its alarm.
   */
  webhookDeadLetters: {
    id: 'CcaasNotificationsDeadLetters',
    urlVar: 'WEBHOOK_DEAD_LETTERS_URL',
    arnVar: 'WEBHOOK_DEAD_LETTERS_ARN',
    visibilityTimeoutSeconds: 30,
    retentionDays: 14,
  },
};

/** The message attributes of a dead letter the notifier sets aside, beside the original body. */
export const DEAD_LETTER_ATTRIBUTES = { error: 'error', attempts: 'attempts' } as const;

/**
 * The notifier's log line at each retry, with the webhook's age in seconds: the stack makes a metric of it,
 * and an alarm on webhooks the CCaaS has not taken for long.
 */
export const WEBHOOK_RETRY_LOG = {
  message: 'webhook not delivered; retried later',
  ageField: 'ageSeconds',
} as const;

/** The queues fed by an event rule, with their key. */
export function queuesFedByRules(): { key: QueueKey; queue: QueueDefinition; rule: EventRuleKey }[] {
  return (Object.keys(QUEUES) as QueueKey[]).flatMap((key) => {
    const queue = QUEUES[key];
    return queue.rule ? [{ key, queue, rule: queue.rule }] : [];
  });
}
