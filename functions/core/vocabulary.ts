/**
 * The words of the product's contract, each declared once. The TypeScript types, the zod enums at the
 * edges, the handler catalog and the docs checks all derive from these arrays, so a new word is one edit
 * here, and the type checker then finds every place that must handle it.
 */

/** What an agent's workspace sends over the socket (`{"action": ...}`): one WebSocket route each. */
export const AGENT_ACTIONS = [
  'setStatus',
  'accept',
  'reject',
  'mute',
  'unmute',
  'hold',
  'resume',
  'hangup',
  'openInteraction',
  'transfer',
  'note',
  'wrapUp',
  'sync',
] as const;
export type AgentAction = (typeof AGENT_ACTIONS)[number];

/** The call controls an agent asks for, with or without an interaction. */
export const AGENT_CONTROLS = ['mute', 'unmute', 'hold', 'resume'] as const satisfies readonly AgentAction[];
export type AgentControl = (typeof AGENT_CONTROLS)[number];

/** What the CCaaS is asked to do for an agent (`call.control`): the controls, hanging up, transferring. */
export const CONTROL_REQUESTS = [...AGENT_CONTROLS, 'hangup', 'transfer'] as const;
export type ControlRequest = (typeof CONTROL_REQUESTS)[number];

/** What the server sends to an agent's sockets (`{"type": ...}`). */
export const SERVER_MESSAGE_TYPES = [
  'snapshot',
  'offer',
  'offerRevoked',
  'callState',
  'interactionCreated',
  'interactionPending',
  'ack',
  'error',
] as const;
export type ServerMessageType = (typeof SERVER_MESSAGE_TYPES)[number];

/** Facts the CCaaS reports about a call (`POST /v1/calls/{callId}/events`). */
export const CCAAS_EVENT_TYPES = [
  'caller_hangup',
  'ended',
  'held',
  'resumed',
  'muted',
  'unmuted',
  'transferred',
  'transcript',
  'bridged',
  'bridge_failed',
] as const;
export type CcaasEventType = (typeof CCAAS_EVENT_TYPES)[number];

/** The call-control facts: reported by the CCaaS, or recorded when an agent asks for the control. */
export const CALL_CONTROLS = [
  'muted',
  'unmuted',
  'held',
  'resumed',
] as const satisfies readonly CcaasEventType[];
export type CallControl = (typeof CALL_CONTROLS)[number];

/**
 * Domain events, published on the event bus. Every one is also delivered to the CCaaS as a signed webhook
 * of the same type; `call.offer_missed` also drives the missed-offer work item.
 */
export const DOMAIN_EVENT_TYPES = [
  'call.offered',
  'call.accepted',
  'call.offer_rejected',
  'call.offer_missed',
  'call.offer_revoked',
  'call.control',
  'call.overflowed',
  'call.ended',
  'interaction.created',
] as const;
export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

/** Why an answered or abandoned call ended (`endReason`). */
export const END_REASONS = ['caller_hangup', 'agent_hangup', 'ended'] as const;
export type EndReason = (typeof END_REASONS)[number];

/** Why a call left its queue unanswered (`endReason` of an overflowed call, `call.overflowed`). */
export const OVERFLOW_REASONS = ['max_queue_time', 'interaction_unavailable', 'routing_error'] as const;
export type OverflowReason = (typeof OVERFLOW_REASONS)[number];

/** Why an agent's offer card was taken back (`offerRevoked`, `call.offer_revoked`). */
export const REVOKE_REASONS = [
  ...END_REASONS,
  'timeout',
  'agent_unreachable',
  'agent_away',
  'superseded',
  'overflowed',
  'repair',
] as const;
export type RevokeReason = (typeof REVOKE_REASONS)[number];

/** Refusals of the core: the same code on every transport, mapped to a status once per transport. */
export const DOMAIN_ERROR_CODES = [
  'NOT_FOUND',
  'FORBIDDEN',
  'OFFER_CLOSED',
  'CALL_ENDED',
  'INVALID_STATE',
  'AGENT_NOT_AVAILABLE',
  'INTERACTION_REQUIRED',
  'CONFLICT',
  'INTERACTION_UNAVAILABLE',
  'INVALID_CURSOR',
] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/** The Cognito groups of the people who use the product (the token's `cognito:groups`). */
export const STAFF_GROUPS = ['agents', 'supervisors', 'admins'] as const;
export type StaffGroup = (typeof STAFF_GROUPS)[number];

/** Refusals of an HTTP request at the edge, before any use case runs. */
export const HTTP_REQUEST_ERROR_CODES = [
  'BAD_REQUEST',
  'BAD_JSON',
  'VALIDATION_FAILED',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'UNAUTHORIZED',
  'WEBHOOK_ID_REUSED',
  'REPLAY_IN_PROGRESS',
] as const;

/** Refusals of a socket message at the edge, before any use case runs. */
export const SOCKET_REQUEST_ERROR_CODES = [
  'BAD_JSON',
  'VALIDATION_FAILED',
  'MESSAGE_TOO_LARGE',
  'UNAUTHORIZED',
  'UNKNOWN_ACTION',
] as const;
export type RequestErrorCode =
  | (typeof HTTP_REQUEST_ERROR_CODES)[number]
  | (typeof SOCKET_REQUEST_ERROR_CODES)[number];

/** An unexpected failure: the client sees only this code and a request id to quote. */
export const INTERNAL_ERROR_CODE = 'INTERNAL';
export type ErrorCode = DomainErrorCode | RequestErrorCode | typeof INTERNAL_ERROR_CODE;

/**
 * The product's own metrics (CloudWatch, through EMF), each with its unit, once. The dashboard and the
 * alarms name them from here.
 */
export const METRIC_UNITS = {
  /** From the start of a routing round (the callback, a transfer) to its first offer to an agent. */
  TimeToOffer: 'Milliseconds',
  /** From the callback to the accept: the speed of answer. */
  TimeToAnswer: 'Milliseconds',
  OfferAccepted: 'Count',
  OfferRejected: 'Count',
  OfferMissed: 'Count',
  OfferRevoked: 'Count',
  OfferSetupFailed: 'Count',
  CallCompleted: 'Count',
  CallAbandoned: 'Count',
  CallOverflowed: 'Count',
  /** Answered calls still owed their interaction, as the sweep finds them (one page of the index, ≤ 50). */
  InteractionsPending: 'Count',
  /** How long the oldest of them has waited, from its connection. */
  OldestPendingInteractionAge: 'Seconds',
  /** A webhook the CCaaS did not take (it is retried, then dead-lettered). */
  WebhookDeliveryFailed: 'Count',
  /** Things the sweep set right: interactions created, agents and sockets repaired, calls rerouted. */
  SweeperRepairs: 'Count',
} as const;

export type MetricName = keyof typeof METRIC_UNITS;
export type MetricUnit = (typeof METRIC_UNITS)[MetricName];
