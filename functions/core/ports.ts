import type { DomainEvent } from './events.ts';
import type { CallFacts } from './interaction.ts';
import type { ServerMessage } from './messages.ts';
import type {
  Agent,
  Call,
  CallEntryList,
  CallEntryOf,
  Interaction,
  WorkItem,
  WorkItemStatus,
} from './model.ts';
import type { MetricName } from './vocabulary.ts';

/**
 * Ports: what the use cases need from the outside world. One adapter each in functions/adapters.
 * `update` methods apply a pure transition under optimistic concurrency: they read, apply, write on
 * condition that nobody wrote in between, and re-read and re-apply on conflict. Given the entity in hand
 * (`known`: one the store returned, read or written), they start from it and read nothing unless it turned
 * out stale. A transition that returns its input unchanged writes nothing.
 */

export interface Change<T> {
  before: T;
  after: T;
  changed: boolean;
}

/** What a conditional create found: the entity as stored, and whether this call created it. */
export interface Created<T> {
  stored: T;
  created: boolean;
}

/**
 * Calls with their offers, and the entries of their conversation and timeline. The entries a call gains
 * (`newEntries`) are committed with its change and stored, each once, however often it is retried.
 */
export interface CallStore {
  /** Puts the call unless one with its id exists; returns the stored one either way. */
  create(call: Call): Promise<Created<Call>>;
  get(callId: string): Promise<Call | undefined>;
  update(callId: string, transition: (call: Call) => Call, known?: Call): Promise<Change<Call>>;
  /**
   * One page of a call's conversation or timeline, oldest first. It takes the call as read, whose latest
   * entries are part of the list even if they are not stored on their own yet.
   */
  listEntries<L extends CallEntryList>(call: Call, list: L, page: PageRequest): Promise<Page<CallEntryOf[L]>>;
  /** Calls waiting for an agent in a queue, first `limit` in queue order (routing.ts `queuePlace`). */
  listWaiting(queue: string, limit: number): Promise<Call[]>;
  /** Answered calls whose interaction is still to be created (`owesInteraction`), least recently changed first. */
  listInteractionPending(limit: number): Promise<Call[]>;
  /** Calls being routed (queued and not waiting, or offering), least recently changed first. */
  listRouting(status: 'queued' | 'offering', limit: number): Promise<Call[]>;
  /**
   * Every call of the day: received, or ended, at or after `since` (ISO time), and every call not ended
   * yet. A scan of the table (the supervisor view's; see use-cases/supervision.ts for its cost).
   */
  listSince(since: string): Promise<Call[]>;
}

/** Agents: profile, presence, reservation and connections. */
export interface AgentStore {
  get(agentId: string): Promise<Agent | undefined>;
  /** Creates the agent if it does not exist. */
  create(agent: Agent): Promise<Created<Agent>>;
  update(agentId: string, transition: (agent: Agent) => Agent, known?: Agent): Promise<Change<Agent>>;
  /**
   * One conditional write of the transition applied to the agent in hand (one the store returned): the
   * change, or undefined when the agent changed since (nothing is read). Routing claims agents with it.
   */
  tryUpdate(known: Agent, transition: (agent: Agent) => Agent): Promise<Change<Agent> | undefined>;
  /** Available agents of a queue, longest idle first. */
  listAvailable(queue: string): Promise<Agent[]>;
  /** Every agent (the sweep). */
  list(): Promise<Agent[]>;
  /** One page of the agents, in no particular order. */
  listPage(page: PageRequest): Promise<Page<Agent>>;
}

/** Which page of a list: at most `limit` items, after the `cursor` the previous page ended with. */
export interface PageRequest {
  limit: number;
  cursor?: string;
}

/**
 * One page of a list: it may hold fewer than `limit` items; `cursor` (opaque) asks for the next page, and
 * its absence means the list is done.
 */
export interface Page<T> {
  items: T[];
  cursor?: string;
}

/** The CRM side: interactions with their phone logs. May be down; its errors must never lose a call. */
export interface InteractionStore {
  /** Creates the interaction unless one with its id exists; returns the stored one either way. */
  create(interaction: Interaction): Promise<Created<Interaction>>;
  get(interactionId: string): Promise<Interaction | undefined>;
  update(
    interactionId: string,
    transition: (i: Interaction) => Interaction,
    known?: Interaction,
  ): Promise<Change<Interaction>>;
  /**
   * Writes the call's facts over the interaction (`applyFacts`) without reading it first: one write, which
   * moves `updatedAt` even when the facts were there already. NotFoundError when there is no interaction.
   */
  applyFacts(interactionId: string, facts: CallFacts, now: Date): Promise<void>;
  /** The interactions of a phone number, newest first. */
  listByPhone(phone: string, page: PageRequest): Promise<Page<Interaction>>;
}

export interface WorkItemStore {
  /** Creates the work item unless one with its id exists. */
  create(item: WorkItem): Promise<Created<WorkItem>>;
  /** The work items of a status, oldest first. */
  list(status: WorkItemStatus, page: PageRequest): Promise<Page<WorkItem>>;
  /** The work items of a status assigned to one agent (its missed offers), oldest first. */
  listByAgent(agentId: string, status: WorkItemStatus, page: PageRequest): Promise<Page<WorkItem>>;
}

/**
 * Answers the workflow's waiting tasks. Both return false when the token is no longer waited on (the
 * task timed out or was already answered): a lost race, not an error.
 */
export interface WorkflowCallbacks {
  succeed(taskToken: string, output: Record<string, unknown>): Promise<boolean>;
  fail(taskToken: string, error: string, cause: string): Promise<boolean>;
}

export interface WorkflowInput {
  callId: string;
  /** Routing round (0 first; one more per transfer, failed bridge or repair): each is its own execution. */
  route: number;
  offerTimeoutSeconds: number;
  maxQueueSeconds: number;
}

/** Starts the routing workflow of a call; starting it twice is a no-op. */
export interface WorkflowStarter {
  start(input: WorkflowInput): Promise<void>;
}

/** Pushes messages to sockets; returns the connections that are gone for good. */
export interface SocketPusher {
  push(connectionIds: readonly string[], message: ServerMessage): Promise<{ gone: string[] }>;
  /** Whether the socket is still open (a socket can close without its `$disconnect` being heard). */
  isConnected(connectionId: string): Promise<boolean>;
  /** Closes the socket from the server's side (its `$disconnect` follows); one already gone is fine. */
  close(connectionId: string): Promise<void>;
}

export interface EventPublisher {
  publish(events: readonly DomainEvent[]): Promise<void>;
}

export interface Clock {
  now(): Date;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

export interface Logger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/*
 * Ports of the edge: what the handlers need around the use cases (signed callbacks, webhooks to the
 * CCaaS, agent tokens). The use cases never see them.
 */

/** The three Standard Webhooks headers. */
export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Standard Webhooks signatures with the CCaaS's shared secrets (several while one is rotated out): we verify
 * its callbacks and sign our webhooks with the same list.
 */
export interface WebhookSigning {
  /** Throws with the reason when no active secret verifies the message (or it is outside the tolerance). */
  verify(body: string, headers: WebhookHeaders): Promise<void>;
  /** Signs with the first secret, stamped `at`. */
  sign(id: string, at: Date, body: string): Promise<WebhookHeaders>;
}

/** An HTTP answer as stored for a webhook-id, to give a replay the very same answer. */
export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type WebhookClaim =
  /** Nobody holds this webhook-id: the caller now does, and must complete or release it. */
  | { outcome: 'claimed' }
  /** It was answered already: here is the answer. */
  | { outcome: 'answered'; response: StoredResponse }
  /** Another request holds it and has not answered yet. */
  | { outcome: 'in_progress' }
  /** It was used for a different request (another path or body): a sender's bug or a forged replay. */
  | { outcome: 'conflict' };

/**
 * Receipts of the signed callbacks we received, by webhook-id, so that a replayed message (same id) gets
 * the first answer and has no second effect. A receipt only needs to outlive the window in which the
 * message's signature would still be accepted; after `expiresAt` it counts as absent.
 */
export interface WebhookReceipts {
  /** Claims the id for one request, identified by `fingerprint` (a hash of what was signed and where). */
  claim(webhookId: string, fingerprint: string, expiresAt: Date): Promise<WebhookClaim>;
  /** Records the answer of a claimed id (2xx and 4xx: what a retry would get again anyway). */
  complete(webhookId: string, response: StoredResponse): Promise<void>;
  /** Gives a claimed id up (the handler failed with a 5xx), so that the sender's retry runs. */
  release(webhookId: string): Promise<void>;
}

/** A webhook to the CCaaS, as docs/openapi.yaml documents it under `webhooks`. */
export interface CcaasWebhook {
  /** The domain event type: `call.offered`, `call.ended`, `interaction.created`... */
  type: string;
  /** The domain event's stable id, also sent as `webhook-id`: the same fact always carries the same id. */
  id: string;
  /** When the fact happened (ISO 8601). */
  at: string;
  /** The event's fields; `callId` always. */
  data: Record<string, unknown>;
}

/** Delivers webhooks to the CCaaS. */
export interface CcaasWebhooks {
  /** True once the receiver took it (2xx), false when no receiver is configured; throws otherwise. */
  deliver(webhook: CcaasWebhook): Promise<boolean>;
}

/** Why a webhook was set aside, as its dead letter says (beside the original message). */
export interface DeadLetterReason {
  /** The last attempt's error: `WebhookRejected: POST … 422 …`. */
  error: string;
  /** How many attempts were made. */
  attempts: number;
}

/** A move of the dead letters back to the outbox, under way or just started. */
export interface WebhookRedrive {
  /** What names the move (SQS's task handle). */
  taskHandle: string;
  /** About how many dead letters it moves. */
  messages: number;
}

/**
 * The queue of webhooks waiting for delivery (the outbox, fed by the event bus) and the queue of those
 * given up (its dead letters). The notifier consumes the outbox through Lambda's event source mapping,
 * which deletes what it reports done: these are the moves it makes beside that.
 */
export interface WebhookOutbox {
  /** Keeps a message received from the outbox out of sight for `seconds`: its next attempt is then. */
  retryLater(receiptHandle: string, seconds: number): Promise<void>;
  /** Puts a copy of a message (its body, as received) in the dead-letter queue, with the reason. */
  deadLetter(body: string, reason: DeadLetterReason): Promise<void>;
  /**
   * Moves every dead letter back to the outbox to be delivered again, at most `messagesPerSecond` a second
   * (SQS picks the pace without it). One move runs at a time: asked again meanwhile, it answers that one.
   */
  redrive(options: { messagesPerSecond?: number | undefined }): Promise<WebhookRedrive>;
}

/** Verifies an agent's token (Cognito's on AWS, the dev issuer's locally); its subject is the agent id. */
/** What a valid token says: whom it names, their groups (`cognito:groups`), when it expires (ISO time). */
export interface VerifiedToken {
  agentId: string;
  groups: string[];
  expiresAt?: string;
}

/** The product's metrics (named, with their units, in the vocabulary's METRIC_UNITS). */
export interface Metrics {
  record(name: MetricName, value: number): void;
}

/** The people who sign in (the Cognito user pool): the sweep asks who may still work as an agent. */
export interface StaffDirectory {
  /** The people (a token's `sub`) who exist, are enabled and are in the `agents` group. */
  agents(): Promise<ReadonlySet<string>>;
}

export interface AgentTokens {
  verify(token: string): Promise<VerifiedToken>;
}
