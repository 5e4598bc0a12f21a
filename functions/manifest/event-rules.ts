import type { DomainEventType } from '../core/vocabulary.ts';

/**
 * The event bus rules: which domain events reach which function (its trigger names the rule) or queue (the
 * queue names it, queues.ts). Defined once, for the CDK app (EventBridge rules with their dead-letter queues)
 * and the local event bus (the same patterns, matched in process).
 */

/** The `source` of every event the product publishes. */
export const EVENT_SOURCE = 'call-resiliency';

/** The subset of EventBridge pattern syntax the rules use: exact detail types, or a prefix of them. */
export interface EventRule {
  name: string;
  description: string;
  pattern: { source: string[]; 'detail-type': (DomainEventType | { prefix: string })[] };
}

export const EVENT_RULES = {
  missedOfferWorkItems: {
    name: 'MissedOfferWorkItems',
    description: 'A missed offer gets an interaction and a work item',
    pattern: { source: [EVENT_SOURCE], 'detail-type': ['call.offer_missed'] },
  },
  ccaasNotifications: {
    name: 'CcaasNotifications',
    description: 'Call and interaction events wait in the webhook outbox for delivery to the CCaaS',
    pattern: { source: [EVENT_SOURCE], 'detail-type': [{ prefix: 'call.' }, { prefix: 'interaction.' }] },
  },
} as const satisfies Record<string, EventRule>;

export type EventRuleKey = keyof typeof EVENT_RULES;
