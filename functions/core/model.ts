/**
 * The domain model: calls with their offers, agents, interactions and work items.
 * Plain data only; the transitions over it live in `call.ts` and `agent.ts`.
 */

import type { EndReason, OverflowReason } from './vocabulary.ts';

export type InteractionMode = 'resiliency' | 'standard';

export type CallStatus = 'queued' | 'offering' | 'connected' | 'completed' | 'abandoned' | 'overflowed';
export const TERMINAL_CALL_STATUSES: readonly CallStatus[] = ['completed', 'abandoned', 'overflowed'];

export type OfferStatus = 'pending' | 'accepted' | 'rejected' | 'missed' | 'revoked' | 'setup_failed';
export type OfferOutcome = Exclude<OfferStatus, 'pending'>;

export interface Offer {
  offerId: string;
  agentId: string;
  offeredAt: string;
  expiresAt: string;
  status: OfferStatus;
  closedAt?: string;
  /** Why it closed: the revoke reason, or the agent's (reject) or the CCaaS's (setup_failed) own words. */
  reason?: string;
  /** Step Functions task token of the OfferToAgent state. Server side only: never sent to a client. */
  taskToken?: string;
}

export type InteractionState =
  | { status: 'none' }
  | { status: 'pending'; since: string; attempts: number; lastError?: string }
  | { status: 'created'; interactionId: string };

export interface TimelineEntry {
  at: string;
  type: string;
  agentId?: string;
  offerId?: string;
  detail?: string;
}

/** A line of the conversation: an agent's note or a transcript segment from the CCaaS. */
export interface ConversationEntry {
  at: string;
  kind: 'note' | 'transcript';
  /** The agent id, or 'ccaas'. */
  by: string;
  text: string;
}

/** The two lists of a call that grow with it, entry by entry, and what an entry of each holds. */
export interface CallEntryOf {
  conversation: ConversationEntry;
  timeline: TimelineEntry;
}
export type CallEntryList = keyof CallEntryOf;

/**
 * One entry of a call's conversation or timeline, numbered in the order the call had them (1, 2, ...,
 * across both lists). The number is given by the change that adds it, so storing it twice stores it once.
 */
export type CallEntry = {
  [L in CallEntryList]: { n: number; list: L; entry: CallEntryOf[L] };
}[CallEntryList];

/** Who ended a call. */
export type EndedBy = 'caller' | 'agent' | 'ccaas' | 'system';

/** A skill an agent holds, at a level from 1 (basic) to 5 (expert). */
export interface AgentSkill {
  skill: string;
  level: number;
}

/** A skill a call needs, at `minLevel` or above (1 when not given: any level). */
export interface RequiredSkill {
  skill: string;
  minLevel?: number;
}

export interface Call {
  callId: string;
  ccaasCallId: string;
  from: string;
  to: string;
  queue: string;
  /** Higher is offered first within the queue (0 when absent: calls stored before priorities). */
  priority?: number;
  /** Only an agent holding all of them is offered the call (none when absent). */
  requiredSkills?: RequiredSkill[];
  attributes: Record<string, string>;
  mode: InteractionMode;
  status: CallStatus;
  createdAt: string;
  updatedAt: string;
  offers: Offer[];
  /** Agents that rejected or missed this call (or transferred it away): never offered it again. */
  excludedAgents: string[];
  /** A transfer to one agent: only that agent is offered the call until it rejects or misses it. */
  targetAgentId?: string;
  /**
   * The agent reserved for this call's next offer by whoever woke it from the queue (the agent that just
   * became free, handed over with the wake-up): its offer goes to that agent, which nobody else can claim.
   */
  heldAgentId?: string;
  /** Routing round: 0 for the first routing, +1 for each transfer (names the workflow execution). */
  route: number;
  /** When the current routing round began; the maximum queue time counts from here. */
  routedAt: string;
  /** Present while the call waits in its queue for an agent (WaitForAgent state). */
  waiting?: { since: string; taskToken: string };
  agentId?: string;
  connectedAt?: string;
  endedAt?: string;
  /** Why the call reached its terminal status. */
  endReason?: EndReason | OverflowReason;
  endedBy?: EndedBy;
  /** The outcome the agent recorded at wrap-up. */
  disposition?: string;
  interaction: InteractionState;
  muted: boolean;
  held: boolean;
  /** Highest CCaaS event `seq` applied; events at or below it are stale. */
  lastEventSeq: number;
  /**
   * How many entries (timeline events, notes, transcript segments) the call has had: the next one is
   * numbered `entryCount + 1`. The entries themselves are stored apart from the call, one item each, so a
   * call of any length fits (docs/data-model.md).
   */
  entryCount: number;
  /**
   * The entries not yet stored on their own: each change adds its entries here, committed with the call,
   * and the store moves them out once they take more than a few kilobytes (storing them first, so a writer
   * stopped in between loses none).
   */
  newEntries: CallEntry[];
}

export type AgentStatus =
  | 'available'
  | 'away'
  | 'offline'
  | 'not_responding'
  | 'reserved'
  | 'on_call'
  | 'wrap_up';
/** Statuses an agent may choose for itself; the others are set by the system. */
export const SELECTABLE_AGENT_STATUSES = ['available', 'away', 'offline'] as const;
export type SelectableAgentStatus = (typeof SELECTABLE_AGENT_STATUSES)[number];

export interface Agent {
  agentId: string;
  name: string;
  queues: string[];
  autoAccept: boolean;
  /** What the agent can handle, and how well (none when absent: agents stored before skills). */
  skills?: AgentSkill[];
  status: AgentStatus;
  statusSince: string;
  /** Since when the agent has had no call: the routing order (longest idle first). */
  idleSince: string;
  /** The offer the agent is reserved for (status reserved). */
  offer?: { offerId: string; callId: string };
  /** The call the agent is on (status on_call or wrap_up). */
  callId?: string;
  connections: string[];
  /**
   * When each socket's token expires (connection id → ISO time): the sweep closes a socket past it, so no
   * socket outlives the token it was opened with. Sockets opened before this was kept have none.
   */
  connectionsExpireAt?: Record<string, string>;
  /** When the agent's last socket closed; it goes offline after a grace period unless it comes back. */
  disconnectedAt?: string;
}

export type InteractionSource = 'accepted' | 'missed_offer' | 'standard_mode' | 'on_demand' | 'retry';

export interface PhoneLog {
  from: string;
  to: string;
  queue: string;
  agentId?: string;
  receivedAt: string;
  connectedAt?: string;
  endedAt?: string;
  durationSeconds?: number;
  endReason?: EndReason | OverflowReason;
  endedBy?: EndedBy;
}

/**
 * The CRM record of a call. Its conversation is the call's, read from the call (which keeps it, entry by
 * entry): never copied, so a CRM outage loses no note and a long call makes no record too big.
 */
export interface Interaction {
  interactionId: string;
  callId: string;
  phone: string;
  channel: 'voice';
  status: 'open' | 'closed';
  source: InteractionSource;
  agentId?: string;
  createdAt: string;
  updatedAt: string;
  phoneLog: PhoneLog;
  disposition?: string;
}

export type WorkItemType = 'missed_offer' | 'callback';
export type WorkItemStatus = 'open' | 'closed';

export interface WorkItem {
  workItemId: string;
  type: WorkItemType;
  status: WorkItemStatus;
  callId: string;
  queue: string;
  phone: string;
  createdAt: string;
  reason: string;
  offerId?: string;
  agentId?: string;
  interactionId?: string;
}
