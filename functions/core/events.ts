import type { DomainEventType } from './vocabulary.ts';

/**
 * Domain events, as the use cases publish them. Every type of DOMAIN_EVENT_TYPES reaches the CCaaS as a
 * signed webhook; the rules that route them live in the manifest (`functions/manifest/event-rules.ts`).
 */
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

/** What `call.offer_missed` says besides the call: which offer, whose, and when it timed out. */
export interface MissedOfferDetail {
  callId: string;
  offerId: string;
  agentId: string;
  at: string;
}
