import type { AgentStatus, InteractionMode } from './model.ts';
import type {
  AgentStore,
  CallStore,
  Clock,
  EventPublisher,
  InteractionStore,
  Logger,
  Metrics,
  SocketPusher,
  StaffDirectory,
  WorkflowCallbacks,
  WorkflowStarter,
  WorkItemStore,
} from './ports.ts';

/** Settings the use cases read; handlers build them once from the environment. */
export interface Settings {
  offerTimeoutSeconds: number;
  maxQueueSeconds: number;
  interactionMode: InteractionMode;
  /** Status of an agent who let an offer time out. */
  missedOfferStatus: Extract<AgentStatus, 'not_responding' | 'away' | 'available'>;
  wrapUpSeconds: number;
  agentOfflineGraceSeconds: number;
  /**
   * How long calls (with their conversation and timeline), interactions and work items are kept once they
   * stop changing (DynamoDB TTL).
   */
  retentionDays: number;
  /**
   * The CCaaS webhooks' retry schedule (core/webhook-retry.ts): the first wait, the longest wait, and the
   * age at which a webhook the CCaaS still has not taken is dead-lettered.
   */
  webhookFirstRetrySeconds: number;
  webhookMaxRetryDelaySeconds: number;
  webhookMaxAgeSeconds: number;
}

/** Every port a use case may take. Each factory declares the subset it needs with `Pick`. */
export interface Deps {
  calls: CallStore;
  agents: AgentStore;
  interactions: InteractionStore;
  workItems: WorkItemStore;
  callbacks: WorkflowCallbacks;
  starter: WorkflowStarter;
  pusher: SocketPusher;
  events: EventPublisher;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  directory: StaffDirectory;
  settings: Settings;
}
