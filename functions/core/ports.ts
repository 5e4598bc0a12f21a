import type { DomainEvent } from './events.ts';
import type { ServerMessage } from './messages.ts';
import type { Agent, Call, Interaction, WorkItem, WorkItemStatus } from './model.ts';

/**
 * Ports: what the use cases need from the outside world. One adapter each in functions/adapters.
 * `update` methods apply a pure transition under optimistic concurrency: they read, apply, write on
 * condition that nobody wrote in between, and re-read and re-apply on conflict. A transition that
 * returns its input unchanged writes nothing.
 */

export interface Change<T> {
  before: T;
  after: T;
  changed: boolean;
}

/** Calls with their offers and timeline. */
export interface CallStore {
  /** Puts the call unless one with its id exists; returns the stored one either way. */
  create(call: Call): Promise<{ call: Call; created: boolean }>;
  get(callId: string): Promise<Call | undefined>;
  update(callId: string, transition: (call: Call) => Call): Promise<Change<Call>>;
  /** Calls waiting for an agent in a queue, longest waiting first. */
  listWaiting(queue: string, limit: number): Promise<Call[]>;
  /** Answered calls whose interaction is still to be created, oldest first. */
  listInteractionPending(limit: number): Promise<Call[]>;
  /** Calls being routed (queued and not waiting, or offering), least recently changed first. */
  listRouting(status: 'queued' | 'offering', limit: number): Promise<Call[]>;
}

/** Agents: profile, presence, reservation and connections. */
export interface AgentStore {
  get(agentId: string): Promise<Agent | undefined>;
  /** Creates the agent if it does not exist. */
  create(agent: Agent): Promise<{ agent: Agent; created: boolean }>;
  update(agentId: string, transition: (agent: Agent) => Agent): Promise<Change<Agent>>;
  /** Available agents of a queue, longest idle first. */
  listAvailable(queue: string): Promise<Agent[]>;
  list(): Promise<Agent[]>;
}

/** The CRM side: interactions with their phone logs. May be down; its errors must never lose a call. */
export interface InteractionStore {
  /** Creates the interaction unless one with its id exists; returns the stored one either way. */
  create(interaction: Interaction): Promise<{ interaction: Interaction; created: boolean }>;
  get(interactionId: string): Promise<Interaction | undefined>;
  update(interactionId: string, transition: (i: Interaction) => Interaction): Promise<Change<Interaction>>;
  listByPhone(phone: string): Promise<Interaction[]>;
}

export interface WorkItemStore {
  /** Creates the work item unless one with its id exists. */
  create(item: WorkItem): Promise<{ item: WorkItem; created: boolean }>;
  list(status: WorkItemStatus): Promise<WorkItem[]>;
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
}

export interface EventPublisher {
  publish(events: readonly DomainEvent[]): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export interface Logger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}
