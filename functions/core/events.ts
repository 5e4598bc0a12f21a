/**
 * Domain events published to the event bus, and the rule patterns that route them. The patterns are
 * defined once here and used by both the CDK app (`lib/`) and the local event bus (`local/`).
 */

export const EVENT_SOURCE = 'call-resiliency';

/** Detail types. `call.*` and `interaction.*` are for the CCaaS; `OfferMissed` drives the missed-offer handler. */
export type DomainEventType =
  | 'OfferMissed'
  | 'call.offered'
  | 'call.accepted'
  | 'call.offer_rejected'
  | 'call.offer_missed'
  | 'call.offer_revoked'
  | 'call.control'
  | 'call.overflowed'
  | 'call.ended'
  | 'interaction.created';

export interface DomainEvent {
  type: DomainEventType;
  /** Stable id: the same fact published twice carries the same id, so consumers can de-duplicate. */
  id: string;
  at: string;
  callId: string;
  detail: Record<string, unknown>;
}

/**
 * An event about a call, as the CCaaS receives it: always with our callId and its own ccaasCallId. The id
 * is `<type>:<key>`, the same for the same fact however often it is published.
 */
export function callEvent(
  call: { callId: string; ccaasCallId: string },
  type: DomainEventType,
  key: string,
  at: string,
  detail: Record<string, unknown> = {},
): DomainEvent {
  return {
    type,
    id: `${type}:${key}`,
    at,
    callId: call.callId,
    detail: { ccaasCallId: call.ccaasCallId, ...detail },
  };
}

export interface OfferMissedDetail {
  callId: string;
  offerId: string;
  agentId: string;
  at: string;
}

export interface EventRule {
  name: string;
  description: string;
  pattern: { source: string[]; 'detail-type': (string | { prefix: string })[] };
}

export const EVENT_RULES = {
  offerMissed: {
    name: 'OfferMissed',
    description: 'A missed offer gets an interaction and a work item',
    pattern: { source: [EVENT_SOURCE], 'detail-type': ['OfferMissed'] },
  },
  ccaasNotifications: {
    name: 'CcaasNotifications',
    description: 'Call and interaction events are delivered to the CCaaS as signed webhooks',
    pattern: { source: [EVENT_SOURCE], 'detail-type': [{ prefix: 'call.' }, { prefix: 'interaction.' }] },
  },
} as const satisfies Record<string, EventRule>;

/** Whether an event matches a rule pattern (the subset of EventBridge pattern syntax the rules use). */
export function matchesPattern(pattern: EventRule['pattern'], source: string, detailType: string): boolean {
  if (!pattern.source.includes(source)) return false;
  return pattern['detail-type'].some((p) =>
    typeof p === 'string' ? p === detailType : detailType.startsWith(p.prefix),
  );
}
