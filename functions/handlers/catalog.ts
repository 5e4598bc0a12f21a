/**
 * Every Lambda function of the product, as data: which handler file, which trigger, which resources it
 * may touch. The CDK app builds one function per entry with exactly these grants, and the local runtime
 * wires the same handlers to the same triggers, so the two cannot drift apart.
 */

import type { EVENT_RULES } from '../core/events.ts';

/** A resource a function may use. The CDK app turns each into a least-privilege grant and env vars. */
export type Access =
  | 'calls:read'
  | 'calls:write'
  | 'agents:read'
  | 'agents:write'
  | 'interactions:read'
  | 'interactions:write'
  | 'workItems:read'
  | 'workItems:write'
  | 'workflow:start'
  | 'workflow:callback'
  | 'events:publish'
  | 'sockets:push'
  | 'webhook:verify'
  | 'webhook:sign'
  | 'webhookReceipts:write'
  | 'jwt:verify';

export interface FunctionEntry {
  /** Handler file below functions/handlers, without extension; it exports `handler`. */
  handler: string;
  access: Access[];
  /** Lambda timeout in seconds (defaults to 10). */
  timeoutSeconds?: number;
}

export interface HttpRoute extends FunctionEntry {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
}

export interface WsRoute extends FunctionEntry {
  route: string;
}

export interface WorkflowTask extends FunctionEntry {
  /** The ASL state that invokes it; the ASL names the function `${<State>FunctionArn}`. */
  state: string;
}

const CALL_FLOW: Access[] = [
  'calls:read',
  'calls:write',
  'agents:read',
  'agents:write',
  'workflow:callback',
  'events:publish',
  'sockets:push',
];

export const HTTP_ROUTES: HttpRoute[] = [
  {
    method: 'POST',
    path: '/v1/calls',
    handler: 'http/create-call',
    access: ['calls:read', 'calls:write', 'workflow:start', 'webhook:verify', 'webhookReceipts:write'],
  },
  {
    method: 'POST',
    path: '/v1/calls/{callId}/events',
    handler: 'http/post-call-event',
    access: [
      ...CALL_FLOW,
      'interactions:read',
      'interactions:write',
      'workflow:start',
      'webhook:verify',
      'webhookReceipts:write',
    ],
  },
  { method: 'GET', path: '/v1/calls/{callId}', handler: 'http/get-call', access: ['calls:read'] },
  {
    method: 'PUT',
    path: '/v1/agents/{agentId}',
    handler: 'http/put-agent',
    access: ['agents:read', 'agents:write'],
  },
  { method: 'GET', path: '/v1/agents', handler: 'http/list-agents', access: ['agents:read'] },
  {
    method: 'GET',
    path: '/v1/interactions/{interactionId}',
    handler: 'http/get-interaction',
    access: ['interactions:read'],
  },
  {
    method: 'GET',
    path: '/v1/interactions',
    handler: 'http/list-interactions',
    access: ['interactions:read'],
  },
  { method: 'GET', path: '/v1/work-items', handler: 'http/list-work-items', access: ['workItems:read'] },
];

export const WS_AUTHORIZER: FunctionEntry = { handler: 'ws/authorizer', access: ['jwt:verify'] };

export const WS_ROUTES: WsRoute[] = [
  { route: '$connect', handler: 'ws/connect', access: ['agents:read', 'agents:write'] },
  { route: '$disconnect', handler: 'ws/disconnect', access: CALL_FLOW },
  { route: '$default', handler: 'ws/unknown-action', access: ['sockets:push'] },
  { route: 'setStatus', handler: 'ws/set-status', access: CALL_FLOW },
  { route: 'accept', handler: 'ws/accept', access: CALL_FLOW },
  { route: 'reject', handler: 'ws/reject', access: CALL_FLOW },
  { route: 'sync', handler: 'ws/sync', access: ['calls:read', 'agents:read', 'sockets:push'] },
  ...(['mute', 'unmute', 'hold', 'resume'] as const).map((route) => ({
    route,
    handler: `ws/${route}`,
    access: CALL_FLOW,
  })),
  {
    route: 'hangup',
    handler: 'ws/hangup',
    access: [...CALL_FLOW, 'interactions:read', 'interactions:write'],
  },
  {
    route: 'openInteraction',
    handler: 'ws/open-interaction',
    access: [...CALL_FLOW, 'interactions:read', 'interactions:write'],
  },
  {
    route: 'transfer',
    handler: 'ws/transfer',
    access: [...CALL_FLOW, 'interactions:read', 'interactions:write', 'workflow:start'],
  },
  { route: 'note', handler: 'ws/note', access: [...CALL_FLOW, 'interactions:read', 'interactions:write'] },
  {
    route: 'wrapUp',
    handler: 'ws/wrap-up',
    access: [...CALL_FLOW, 'interactions:read', 'interactions:write'],
  },
];

export const WORKFLOW_TASKS: WorkflowTask[] = [
  { state: 'OfferToAgent', handler: 'workflow/offer-to-agent', access: [...CALL_FLOW, 'interactions:write'] },
  { state: 'WaitForAgent', handler: 'workflow/wait-for-agent', access: CALL_FLOW },
  { state: 'MarkOfferMissed', handler: 'workflow/mark-offer-missed', access: CALL_FLOW },
  {
    state: 'CreateInteraction',
    handler: 'workflow/create-interaction',
    access: [...CALL_FLOW, 'interactions:read', 'interactions:write'],
  },
  { state: 'InteractionDeferred', handler: 'workflow/interaction-deferred', access: CALL_FLOW },
  {
    state: 'Overflow',
    handler: 'workflow/overflow',
    access: [...CALL_FLOW, 'workItems:read', 'workItems:write'],
  },
];

export const EVENT_TARGETS: (FunctionEntry & { rule: keyof typeof EVENT_RULES })[] = [
  {
    rule: 'offerMissed',
    handler: 'events/missed-offer',
    access: [
      'calls:read',
      'calls:write',
      'interactions:read',
      'interactions:write',
      'workItems:read',
      'workItems:write',
    ],
  },
  // Signed webhooks to the CCaaS for call.* and interaction.* events; the default 10 s covers a 5 s POST.
  { rule: 'ccaasNotifications', handler: 'events/ccaas-notifier', access: ['webhook:sign'] },
];

export const SCHEDULED: (FunctionEntry & { name: string; everyMinutes: number })[] = [
  {
    name: 'Sweeper',
    everyMinutes: 1,
    handler: 'scheduled/sweeper',
    timeoutSeconds: 60,
    access: [...CALL_FLOW, 'interactions:read', 'interactions:write'],
  },
];

/** Environment variables a function may read; the CDK app sets those its access needs. */
export const ENV = {
  offerTimeoutSeconds: 'OFFER_TIMEOUT_SECONDS',
  maxQueueSeconds: 'MAX_QUEUE_SECONDS',
  interactionMode: 'INTERACTION_MODE',
  missedOfferStatus: 'MISSED_OFFER_STATUS',
  wrapUpSeconds: 'WRAP_UP_SECONDS',
  agentOfflineGraceSeconds: 'AGENT_OFFLINE_GRACE_SECONDS',
  stateMachineArn: 'STATE_MACHINE_ARN',
  eventBusName: 'EVENT_BUS_NAME',
  wsManagementEndpoint: 'WS_MANAGEMENT_ENDPOINT',
  /** Locally (and in tests) the secrets themselves; on AWS the stack sets webhookSecretArn instead. */
  webhookSecret: 'CCAAS_WEBHOOK_SECRET',
  webhookSecretArn: 'CCAAS_WEBHOOK_SECRET_ARN',
  /** Where the CCaaS notifier POSTs its webhooks; unset, nothing is delivered. */
  ccaasWebhookUrl: 'CCAAS_WEBHOOK_URL',
  jwksUrl: 'JWKS_URL',
  jwtIssuer: 'JWT_ISSUER',
  jwtAudience: 'JWT_AUDIENCE',
} as const;
