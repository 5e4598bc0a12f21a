import { createHash } from 'node:crypto';
import {
  CallEndedError,
  InteractionRequiredError,
  InvalidTransitionError,
  OfferClosedError,
} from './errors.ts';
import {
  type Call,
  type CallEntry,
  type CallStatus,
  type ConversationEntry,
  type EndedBy,
  type InteractionMode,
  type Offer,
  type OfferOutcome,
  type RequiredSkill,
  TERMINAL_CALL_STATUSES,
  type TimelineEntry,
} from './model.ts';
import { PRIORITIES } from './routing.ts';
import type { CallControl, EndReason, OverflowReason } from './vocabulary.ts';

/**
 * Pure transitions of the call aggregate. Each returns a new call (never mutates) or throws a named
 * error when the transition is illegal. The store applies them with an optimistic-concurrency check,
 * so each offer ends exactly once even when an accept, a timeout and a hang-up race.
 */

export interface NewCallInput {
  ccaasCallId: string;
  from: string;
  to: string;
  queue: string;
  attributes?: Record<string, string>;
  priority?: number;
  requiredSkills?: RequiredSkill[];
}

/** The call id is derived from the CCaaS call id, so a repeated callback can only ever name the same call. */
export function callIdFor(ccaasCallId: string): string {
  const digest = createHash('sha256').update(`ccaas-call:${ccaasCallId}`).digest('hex');
  return `call_${digest.slice(0, 26)}`;
}

/** Offer ids embed their call id, so an accept names its call without a lookup table. */
export function offerIdFor(callId: string, attempt: number): string {
  return `${callId}.${attempt}`;
}

export function callIdOfOffer(offerId: string): string | undefined {
  const dot = offerId.lastIndexOf('.');
  if (dot <= 0 || !/^\d+$/.test(offerId.slice(dot + 1))) return undefined;
  return offerId.slice(0, dot);
}

export function isTerminal(status: CallStatus): boolean {
  return TERMINAL_CALL_STATUSES.includes(status);
}

/**
 * Whether routing round `route` still owns the call: it has not ended, and no newer round (a transfer, a
 * failed bridge, a repair) has taken over. A workflow task of any other round stops.
 */
export function isRoutedBy(call: Call | undefined, route: number): call is Call {
  return call !== undefined && !isTerminal(call.status) && call.route === route;
}

export function newCall(input: NewCallInput, mode: InteractionMode, now: Date): Call {
  const at = now.toISOString();
  const callId = callIdFor(input.ccaasCallId);
  const call: Call = {
    callId,
    ccaasCallId: input.ccaasCallId,
    from: input.from,
    to: input.to,
    queue: input.queue,
    priority: input.priority ?? PRIORITIES.lowest,
    requiredSkills: input.requiredSkills ?? [],
    attributes: input.attributes ?? {},
    mode,
    status: 'queued',
    createdAt: at,
    updatedAt: at,
    offers: [],
    excludedAgents: [],
    route: 0,
    routedAt: at,
    interaction: { status: 'none' },
    muted: false,
    held: false,
    lastEventSeq: 0,
    entryCount: 0,
    newEntries: [],
  };
  return withEntry(call, {
    list: 'timeline',
    entry: { at, type: 'received', detail: `queue ${input.queue}` },
  });
}

export function pendingOffer(call: Call): Offer | undefined {
  return call.offers.find((o) => o.status === 'pending');
}

export function lastOffer(call: Call): Offer | undefined {
  return call.offers[call.offers.length - 1];
}

/** The call with one more entry, numbered after the last one it had. */
function withEntry(call: Call, entry: DistributiveOmit<CallEntry, 'n'>): Call {
  const n = call.entryCount + 1;
  return { ...call, entryCount: n, newEntries: [...call.newEntries, { n, ...entry }] };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function touch(call: Call, now: Date, entry: Omit<TimelineEntry, 'at'>, changes: Partial<Call>): Call {
  const at = now.toISOString();
  return withEntry({ ...call, ...changes, updatedAt: at }, { list: 'timeline', entry: { at, ...entry } });
}

function assertOpen(call: Call): void {
  if (isTerminal(call.status)) throw new CallEndedError(`call ${call.callId} has ended (${call.status})`);
}

export interface OpenOfferInput {
  agentId: string;
  taskToken: string;
  timeoutSeconds: number;
  now: Date;
}

/** Records a new pending offer to one agent. The call must be queued (not offered, not connected, not ended). */
export function openOffer(call: Call, input: OpenOfferInput): Call {
  assertOpen(call);
  if (call.status !== 'queued' || pendingOffer(call)) {
    throw new InvalidTransitionError(`call ${call.callId} cannot be offered while ${call.status}`);
  }
  const offer: Offer = {
    offerId: offerIdFor(call.callId, call.offers.length + 1),
    agentId: input.agentId,
    offeredAt: input.now.toISOString(),
    expiresAt: new Date(input.now.getTime() + input.timeoutSeconds * 1000).toISOString(),
    status: 'pending',
    taskToken: input.taskToken,
  };
  return touch(
    call,
    input.now,
    { type: 'offered', agentId: input.agentId, offerId: offer.offerId },
    { status: 'offering', offers: [...call.offers, offer], waiting: undefined, heldAgentId: undefined },
  );
}

/**
 * Ends a pending offer with its one outcome. Accepted connects the call; every other outcome puts it back
 * in the queue (unless it has ended), and rejected or missed excludes that agent from this call for good.
 */
export function closeOffer(
  call: Call,
  offerId: string,
  outcome: OfferOutcome,
  now: Date,
  reason?: string,
): Call {
  const offer = call.offers.find((o) => o.offerId === offerId);
  if (offer?.status !== 'pending') {
    throw new OfferClosedError(`offer ${offerId} is ${offer ? offer.status : 'unknown'}`);
  }
  const closed: Offer = {
    ...offer,
    status: outcome,
    closedAt: now.toISOString(),
    ...(reason ? { reason } : {}),
  };
  const offers = call.offers.map((o) => (o.offerId === offerId ? closed : o));
  // A transfer to one agent ends with that agent's answer: accepted, or back to the queue.
  const changes: Partial<Call> = { offers, targetAgentId: undefined };
  if (outcome === 'accepted') {
    assertOpen(call);
    // The call's first answer is when it connected: a transferred call keeps its original time.
    const connectedAt = call.connectedAt ?? now.toISOString();
    Object.assign(changes, { status: 'connected', agentId: offer.agentId, connectedAt });
  } else if (!isTerminal(call.status)) {
    changes.status = 'queued';
  }
  if ((outcome === 'rejected' || outcome === 'missed') && !call.excludedAgents.includes(offer.agentId)) {
    changes.excludedAgents = [...call.excludedAgents, offer.agentId];
  }
  return touch(
    call,
    now,
    { type: `offer_${outcome}`, agentId: offer.agentId, offerId, ...(reason ? { detail: reason } : {}) },
    changes,
  );
}

/** Parks the call in its queue until an agent is free. */
export function startWaiting(call: Call, taskToken: string, now: Date): Call {
  assertOpen(call);
  if (call.status !== 'queued') {
    throw new InvalidTransitionError(`call ${call.callId} cannot wait while ${call.status}`);
  }
  return touch(call, now, { type: 'waiting' }, { waiting: { since: now.toISOString(), taskToken } });
}

/**
 * Takes the call out of the queue's waiting list; only one waker can win it. `heldAgentId`: the agent the
 * waker reserved for the call's next offer.
 */
export function stopWaiting(call: Call, now: Date, heldAgentId: string): Call {
  if (!call.waiting) throw new InvalidTransitionError(`call ${call.callId} is not waiting`);
  return touch(call, now, { type: 'woken', agentId: heldAgentId }, { waiting: undefined, heldAgentId });
}

/**
 * Ends the call. Before it was connected this is an abandon (its pending offer is revoked); after, a
 * completion. Ending an ended call is a no-op: CCaaS callbacks are retried. `detail` (the CCaaS's own words
 * for why the call ended) goes on the timeline.
 */
export function endCall(call: Call, reason: EndReason, endedBy: EndedBy, now: Date, detail?: string): Call {
  if (isTerminal(call.status)) return call;
  const at = now.toISOString();
  const offers = call.offers.map((o) =>
    o.status === 'pending' ? { ...o, status: 'revoked' as const, closedAt: at, reason } : o,
  );
  const status: CallStatus = call.status === 'connected' ? 'completed' : 'abandoned';
  return touch(
    call,
    now,
    { type: status, detail: detail ? `${reason}: ${detail}` : reason },
    { status, offers, waiting: undefined, endedAt: at, endReason: reason, endedBy },
  );
}

/** The call leaves the queue unanswered (maximum queue time, or routing could not go on). */
export function overflowCall(call: Call, reason: OverflowReason, now: Date): Call {
  assertOpen(call);
  // An answered call is never overflowed, whatever a late workflow task thinks.
  if (call.status === 'connected') return call;
  const at = now.toISOString();
  const offers = call.offers.map((o) =>
    o.status === 'pending' ? { ...o, status: 'revoked' as const, closedAt: at, reason: 'overflowed' } : o,
  );
  return touch(
    call,
    now,
    { type: 'overflowed', detail: reason },
    { status: 'overflowed', offers, waiting: undefined, endedAt: at, endReason: reason, endedBy: 'system' },
  );
}

export function markInteractionCreated(call: Call, interactionId: string, now: Date): Call {
  if (call.interaction.status === 'created') return call;
  return touch(
    call,
    now,
    { type: 'interaction_created', detail: interactionId },
    {
      interaction: { status: 'created', interactionId },
    },
  );
}

/**
 * Whether the call is owed its interaction: it was answered and has none yet (still being created, pending
 * after a failure, or never started because whatever should have created it died).
 */
export function owesInteraction(call: Call): boolean {
  return call.connectedAt !== undefined && call.interaction.status !== 'created';
}

export function markInteractionPending(call: Call, error: string, now: Date): Call {
  if (call.interaction.status === 'created') return call;
  const attempts = call.interaction.status === 'pending' ? call.interaction.attempts + 1 : 1;
  const since = call.interaction.status === 'pending' ? call.interaction.since : now.toISOString();
  const next: Call = { ...call, interaction: { status: 'pending', since, attempts, lastError: error } };
  if (attempts > 1) return { ...next, updatedAt: now.toISOString() };
  return touch(next, now, { type: 'interaction_pending', detail: error }, {});
}

export interface TransferInput {
  byAgentId: string;
  queue?: string;
  agentId?: string;
  now: Date;
}

/**
 * A connected call is routed again: to a queue, or to one agent (then back to the queue if that agent
 * rejects or misses it). Only a call with an interaction can be transferred: the interaction is what
 * travels with it. The transferring agent is excluded from this call from now on.
 */
export function transferCall(call: Call, input: TransferInput): Call {
  assertOpen(call);
  if (call.status !== 'connected' || call.agentId !== input.byAgentId) {
    throw new InvalidTransitionError(`call ${call.callId} is not connected to ${input.byAgentId}`);
  }
  if (call.interaction.status !== 'created') {
    throw new InteractionRequiredError(`call ${call.callId} has no interaction yet; open one first`);
  }
  const excluded = call.excludedAgents.includes(input.byAgentId)
    ? call.excludedAgents
    : [...call.excludedAgents, input.byAgentId];
  return touch(
    call,
    input.now,
    {
      type: 'transferred',
      agentId: input.byAgentId,
      detail: input.agentId ? `to agent ${input.agentId}` : `to queue ${input.queue ?? call.queue}`,
    },
    {
      status: 'queued',
      queue: input.queue ?? call.queue,
      targetAgentId: input.agentId,
      excludedAgents: excluded,
      agentId: undefined,
      muted: false,
      held: false,
      route: call.route + 1,
      routedAt: input.now.toISOString(),
    },
  );
}

/**
 * The CCaaS could not connect the audio after an accept. The accept was provisional until the bridge, so
 * this is the one outcome that replaces another: the accepted offer ends `setup_failed`, the agent is
 * excluded from this call, and the call is routed again with a fresh queue time.
 */
export function bridgeFailed(call: Call, now: Date, reason = 'bridge_failed'): Call {
  assertOpen(call);
  const offer = lastOffer(call);
  if (call.status !== 'connected' || offer?.status !== 'accepted') {
    throw new InvalidTransitionError(`call ${call.callId} has no accepted offer to fail`);
  }
  const at = now.toISOString();
  const offers = call.offers.map((o) =>
    o.offerId === offer.offerId ? { ...o, status: 'setup_failed' as const, closedAt: at, reason } : o,
  );
  const answeredBefore = call.offers.some((o) => o.status === 'accepted' && o.offerId !== offer.offerId);
  return touch(
    call,
    now,
    { type: 'offer_setup_failed', agentId: offer.agentId, offerId: offer.offerId, detail: reason },
    {
      status: 'queued',
      offers,
      agentId: undefined,
      ...(answeredBefore ? {} : { connectedAt: undefined }),
      excludedAgents: call.excludedAgents.includes(offer.agentId)
        ? call.excludedAgents
        : [...call.excludedAgents, offer.agentId],
      muted: false,
      held: false,
      route: call.route + 1,
      routedAt: at,
    },
  );
}

/**
 * Starts a new routing round for a call whose workflow is gone (the sweeper found it queued and untouched
 * for minutes, or offering an offer long expired). Its queue time keeps counting from the round before.
 */
export function reroute(call: Call, now: Date): Call {
  assertOpen(call);
  if (call.status !== 'queued' || call.waiting || pendingOffer(call)) {
    throw new InvalidTransitionError(`call ${call.callId} is ${call.status}; nothing to repair`);
  }
  return touch(call, now, { type: 'rerouted', detail: `round ${call.route + 1}` }, { route: call.route + 1 });
}

/** Drops a transfer target that cannot take the call, so it goes to the queue instead. */
export function clearTarget(call: Call): Call {
  return call.targetAgentId ? { ...call, targetAgentId: undefined } : call;
}

/**
 * Adds a note or transcript segment. The entry keeps the time its author gives it (the CCaaS's for a
 * segment); the call's `updatedAt` is our clock's, which the sweep's waits count from.
 */
export function addConversation(call: Call, entry: ConversationEntry, now: Date): Call {
  return withEntry({ ...call, updatedAt: now.toISOString() }, { list: 'conversation', entry });
}

export function recordDisposition(call: Call, agentId: string, disposition: string, now: Date): Call {
  return touch(call, now, { type: 'wrapped_up', agentId, detail: disposition }, { disposition });
}

/** Applies a call-control fact reported by the CCaaS or requested by the agent. */
export function applyControl(call: Call, control: CallControl, now: Date, by: string): Call {
  if (call.status !== 'connected') {
    throw new InvalidTransitionError(`call ${call.callId} is ${call.status}, not connected`);
  }
  const flags: Partial<Call> =
    control === 'muted' || control === 'unmuted'
      ? { muted: control === 'muted' }
      : { held: control === 'held' };
  return touch(call, now, { type: control, detail: by }, flags);
}

/** Records a CCaaS event sequence number; an event at or below the last one is stale. */
export function acceptSeq(call: Call, seq: number): Call | undefined {
  if (seq <= call.lastEventSeq) return undefined;
  return { ...call, lastEventSeq: seq };
}

export function appendTimeline(call: Call, now: Date, entry: Omit<TimelineEntry, 'at'>): Call {
  return touch(call, now, entry, {});
}

export function durationSeconds(call: Call): number | undefined {
  if (!call.connectedAt || !call.endedAt) return undefined;
  return Math.max(0, Math.round((Date.parse(call.endedAt) - Date.parse(call.connectedAt)) / 1000));
}
