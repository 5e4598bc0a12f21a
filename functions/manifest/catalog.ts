/**
 * Every Lambda function of the product, as data: its handler file, its trigger, and the resources it may
 * touch. The CDK app builds one function per entry with exactly these grants, and the local runtime wires
 * the same handler files to the same triggers, so the two cannot drift apart.
 */

import { AGENT_ACTIONS, type AgentAction } from '../core/vocabulary.ts';
import type { EventRuleKey } from './event-rules.ts';
import type { QueueKey } from './queues.ts';

/** A resource a function may use. The CDK app turns each into a least-privilege grant and env vars. */
export type Access =
  | 'calls:read'
  | 'calls:write'
  | 'callEntries:read'
  | 'callEntries:write'
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
  | 'webhookOutbox:consume'
  | 'webhookDeadLetters:write'
  | 'webhookDeadLetters:redrive'
  | 'jwt:verify'
  | 'directory:read';

/** The states of statemachines/route-call.asl.json that invoke a function (`${<State>FunctionArn}`). */
export type WorkflowState =
  | 'OfferToAgent'
  | 'WaitForAgent'
  | 'RecordMissedOffer'
  | 'CreateInteraction'
  | 'InteractionDeferred'
  | 'Overflow';

/** What invokes a function. */
export type Trigger =
  /** An HTTP API route; `signed` ones are CCaaS callbacks, authenticated by their signature alone. */
  | { type: 'http'; method: 'GET' | 'POST' | 'PUT'; path: string; signed?: true }
  /** A WebSocket API route: `$connect`, `$disconnect`, `$default`, or an agent action. */
  | { type: 'websocket'; route: '$connect' | '$disconnect' | '$default' | AgentAction }
  /** The WebSocket API's REQUEST authorizer on `$connect`. */
  | { type: 'authorizer' }
  | { type: 'workflow'; state: WorkflowState }
  | { type: 'event'; rule: EventRuleKey }
  /**
   * An SQS queue, through Lambda's event source mapping: batches of up to `batchSize` messages, the
   * function reporting the ones it did not handle (ReportBatchItemFailures), which stay on the queue.
   */
  | { type: 'queue'; queue: QueueKey; batchSize: number }
  | { type: 'schedule'; name: string; everyMinutes: number };

export type TriggerType = Trigger['type'];

export interface FunctionEntry<T extends Trigger = Trigger> {
  /** Handler file below functions/handlers, without extension; it exports `handler`. */
  handler: string;
  trigger: T;
  access: readonly Access[];
  /** Lambda timeout in seconds (defaults to 10). */
  timeoutSeconds?: number;
}

export const DEFAULT_TIMEOUT_SECONDS = 10;
/** Every function's memory, in MB: what Lambda gives it (and its CPU share), and what its duration is billed by. */
export const FUNCTION_MEMORY_MB = 512;

/**
 * The HTTP API's CORS: the pages on CloudFront call it from their own origin. Any origin may: a request
 * carries its token in the authorization header, which a browser never adds by itself, so another site's
 * page gets nothing it could not get with curl. The CDK app configures it; the local gateway answers it.
 */
export const HTTP_API_CORS = {
  allowOrigins: ['*'],
  allowHeaders: ['authorization', 'content-type'],
  allowMethods: ['GET', 'PUT', 'POST'],
  maxAgeSeconds: 3600,
} as const;

/** A call changes with its item and the entries it adds to its timeline or conversation. */
const CALL_WRITE: readonly Access[] = ['calls:read', 'calls:write', 'callEntries:write'];
/** A call read with its conversation and timeline. */
const CALL_READ: readonly Access[] = ['calls:read', 'callEntries:read'];
/** What every function that moves a call along needs. */
const CALL_FLOW: readonly Access[] = [
  ...CALL_WRITE,
  'agents:read',
  'agents:write',
  'workflow:callback',
  'events:publish',
  'sockets:push',
];
const INTERACTIONS: readonly Access[] = ['interactions:read', 'interactions:write'];
const SIGNED_CALLBACK: readonly Access[] = ['webhook:verify', 'webhookReceipts:write'];

/** The access of each agent action's function; its handler file is `ws/<action in kebab-case>`. */
const AGENT_ACTION_ACCESS: Record<AgentAction, readonly Access[]> = {
  setStatus: CALL_FLOW,
  accept: CALL_FLOW,
  reject: CALL_FLOW,
  mute: CALL_FLOW,
  unmute: CALL_FLOW,
  hold: CALL_FLOW,
  resume: CALL_FLOW,
  hangup: [...CALL_FLOW, ...INTERACTIONS],
  openInteraction: [...CALL_FLOW, ...INTERACTIONS],
  transfer: [...CALL_FLOW, ...INTERACTIONS, 'workflow:start'],
  note: CALL_FLOW,
  wrapUp: [...CALL_FLOW, ...INTERACTIONS],
  sync: ['calls:read', 'agents:read', 'sockets:push'],
};

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

const http = (
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  handler: string,
  access: readonly Access[],
  signed?: true,
): FunctionEntry => ({
  handler: `http/${handler}`,
  trigger: { type: 'http', method, path, ...(signed ? { signed } : {}) },
  access: signed ? [...access, ...SIGNED_CALLBACK] : access,
});

const workflow = (state: WorkflowState, access: readonly Access[]): FunctionEntry => ({
  handler: `workflow/${kebab(state).slice(1)}`,
  trigger: { type: 'workflow', state },
  access,
});

export const FUNCTIONS: readonly FunctionEntry[] = [
  // CCaaS callbacks (signed) and the staff REST API
  http('POST', '/v1/calls', 'create-call', [...CALL_WRITE, 'workflow:start'], true),
  http(
    'POST',
    '/v1/calls/{callId}/events',
    'post-call-event',
    [...CALL_FLOW, ...INTERACTIONS, 'workflow:start'],
    true,
  ),
  http('GET', '/v1/calls/{callId}', 'get-call', CALL_READ),
  http('GET', '/v1/calls/{callId}/conversation', 'list-call-conversation', CALL_READ),
  http('GET', '/v1/calls/{callId}/timeline', 'list-call-timeline', CALL_READ),
  // An available agent given a new queue or skill wakes a waiting call it can now take.
  http('PUT', '/v1/agents/{agentId}', 'put-agent', [
    'agents:read',
    'agents:write',
    ...CALL_WRITE,
    'workflow:callback',
  ]),
  http('GET', '/v1/agents/{agentId}', 'get-agent', ['agents:read']),
  http('GET', '/v1/agents', 'list-agents', ['agents:read']),
  // The interaction shows its call's conversation, which the call keeps (docs/data-model.md). An agent reads
  // the interactions of the caller on its own call: its agent record and that call tell which.
  http('GET', '/v1/interactions/{interactionId}', 'get-interaction', [
    'interactions:read',
    'agents:read',
    ...CALL_READ,
  ]),
  http('GET', '/v1/interactions', 'list-interactions', ['interactions:read', 'agents:read', 'calls:read']),
  http('GET', '/v1/work-items', 'list-work-items', ['workItems:read']),
  // The supervisor view: the agents, and the calls of the day (a scan; see use-cases/supervision.ts).
  http('GET', '/v1/stats', 'get-stats', ['agents:read', 'calls:read']),
  // Moves the dead-lettered webhooks back to the outbox (admins).
  http('POST', '/v1/dead-letters/redrive', 'redrive-dead-letters', ['webhookDeadLetters:redrive']),

  // The agents' WebSocket API
  { handler: 'ws/authorizer', trigger: { type: 'authorizer' }, access: ['jwt:verify'] },
  {
    handler: 'ws/connect',
    trigger: { type: 'websocket', route: '$connect' },
    access: ['agents:read', 'agents:write'],
  },
  { handler: 'ws/disconnect', trigger: { type: 'websocket', route: '$disconnect' }, access: CALL_FLOW },
  {
    handler: 'ws/unknown-action',
    trigger: { type: 'websocket', route: '$default' },
    access: ['sockets:push'],
  },
  ...AGENT_ACTIONS.map(
    (action): FunctionEntry => ({
      handler: `ws/${kebab(action)}`,
      trigger: { type: 'websocket', route: action },
      access: AGENT_ACTION_ACCESS[action],
    }),
  ),

  // The route-call workflow's tasks
  workflow('OfferToAgent', [...CALL_FLOW, 'interactions:write']),
  workflow('WaitForAgent', CALL_FLOW),
  workflow('RecordMissedOffer', CALL_FLOW),
  workflow('CreateInteraction', [...CALL_FLOW, ...INTERACTIONS]),
  workflow('InteractionDeferred', CALL_FLOW),
  workflow('Overflow', [...CALL_FLOW, 'workItems:read', 'workItems:write']),

  // Event rules and the schedule
  {
    handler: 'events/create-missed-offer-work-item',
    trigger: { type: 'event', rule: 'missedOfferWorkItems' },
    // Creating the interaction publishes interaction.created and tells the call's agent, if any.
    access: [
      ...CALL_FLOW.filter((a) => a !== 'workflow:callback'),
      ...INTERACTIONS,
      'workItems:read',
      'workItems:write',
    ],
  },
  // Signed webhooks to the CCaaS for the call.* and interaction.* events of the outbox, which the
  // ccaasNotifications rule fills; a batch's webhooks go out together, so the default 10 s covers a 5 s POST.
  {
    handler: 'events/ccaas-notifier',
    trigger: { type: 'queue', queue: 'webhookOutbox', batchSize: 10 },
    access: ['webhook:sign', 'webhookOutbox:consume', 'webhookDeadLetters:write'],
  },
  {
    handler: 'scheduled/sweeper',
    trigger: { type: 'schedule', name: 'Sweeper', everyMinutes: 1 },
    timeoutSeconds: 60,
    // Re-routes a call whose workflow died (it starts a new execution); closes the sockets of people who
    // may no longer work as agents.
    access: [...CALL_FLOW, ...INTERACTIONS, 'workflow:start', 'directory:read'],
  },
];

/** The functions of one trigger type (of the catalog, or of `functions`), with the trigger's type narrowed. */
export function functionsTriggeredBy<K extends TriggerType>(
  type: K,
  functions: readonly FunctionEntry[] = FUNCTIONS,
): FunctionEntry<Extract<Trigger, { type: K }>>[] {
  return functions.filter(
    (entry): entry is FunctionEntry<Extract<Trigger, { type: K }>> => entry.trigger.type === type,
  );
}

/** A function's handler file, relative to the project root. */
export function handlerFile(entry: Pick<FunctionEntry, 'handler'>): string {
  return `functions/handlers/${entry.handler}.ts`;
}
