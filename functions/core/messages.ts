import { pendingOffer } from './call.ts';
import type {
  Agent,
  AgentSkill,
  AgentStatus,
  Call,
  CallEntryList,
  CallEntryOf,
  CallStatus,
  Offer,
} from './model.ts';
import { PRIORITIES } from './routing.ts';
import type { AgentAction, ErrorCode, RevokeReason, ServerMessageType } from './vocabulary.ts';

/**
 * What the server sends to agents over the socket, and the public views of calls. Task tokens stay on
 * the server: every view is built here, and none of them carries one.
 */

/** A page of a call's list, as the call store gives it (ports.ts `Page`, which imports this module). */
type EntriesPage<L extends CallEntryList> = { items: CallEntryOf[L][]; cursor?: string };

export interface CallStateView {
  callId: string;
  state: CallStatus;
  from: string;
  queue: string;
  muted: boolean;
  held: boolean;
  connectedAt?: string;
  endedAt?: string;
  interactionId?: string;
}

export interface OfferView {
  offerId: string;
  callId: string;
  from: string;
  queue: string;
  priority: number;
  expiresAt: string;
}

/** The fields of each server message type of the vocabulary (a new type without fields fails to compile). */
interface ServerMessageFields {
  offer: OfferView;
  offerRevoked: { offerId: string; callId: string; reason: RevokeReason };
  callState: CallStateView;
  interactionCreated: { callId: string; interactionId: string };
  interactionPending: { callId: string; reason: string };
  snapshot: {
    agent: {
      agentId: string;
      name: string;
      status: AgentStatus;
      statusSince: string;
      queues: string[];
      skills: AgentSkill[];
    };
    calls: CallStateView[];
    offer?: OfferView & { secondsLeft: number };
  };
  ack: { action: AgentAction };
  error: { code: ErrorCode; message: string };
}

/** A message to an agent's sockets. Every answer to a request carries its `requestId` (added by the socket edge). */
export type ServerMessage = {
  [T in ServerMessageType]: { type: T } & ServerMessageFields[T];
}[ServerMessageType] & { requestId?: string };

/** The server message of one type (or of one of several). */
export type ServerMessageOf<T extends ServerMessageType> = Extract<ServerMessage, { type: T }>;

/** The actions answered by a message of their own rather than an `ack`. */
interface ActionAnswerTypes {
  sync: 'snapshot';
  openInteraction: 'interactionCreated' | 'interactionPending';
}

/**
 * What answers an action on the socket that sent it, unless it is refused with an `error`: the socket edge
 * holds each action's function to it, and the agent client types each action's promise with it.
 */
export type ActionAnswer<A extends AgentAction> = ServerMessageOf<
  A extends keyof ActionAnswerTypes ? ActionAnswerTypes[A] : 'ack'
>;

export function callStateView(call: Call): CallStateView {
  return {
    callId: call.callId,
    state: call.status,
    from: call.from,
    queue: call.queue,
    muted: call.muted,
    held: call.held,
    ...(call.connectedAt ? { connectedAt: call.connectedAt } : {}),
    ...(call.endedAt ? { endedAt: call.endedAt } : {}),
    ...(call.interaction.status === 'created' ? { interactionId: call.interaction.interactionId } : {}),
  };
}

export function offerView(call: Call, offer: Offer): OfferView {
  return {
    offerId: offer.offerId,
    callId: call.callId,
    from: call.from,
    queue: call.queue,
    priority: call.priority ?? PRIORITIES.lowest,
    expiresAt: offer.expiresAt,
  };
}

export function snapshot(agent: Agent, calls: readonly Call[], now: Date): ActionAnswer<'sync'> {
  const offered = calls
    .map((c) => ({ call: c, offer: pendingOffer(c) }))
    .find((x) => x.offer?.agentId === agent.agentId);
  return {
    type: 'snapshot',
    agent: {
      agentId: agent.agentId,
      name: agent.name,
      status: agent.status,
      statusSince: agent.statusSince,
      queues: agent.queues,
      skills: agent.skills ?? [],
    },
    calls: calls.filter((c) => c.agentId === agent.agentId).map(callStateView),
    ...(offered?.offer
      ? {
          offer: {
            ...offerView(offered.call, offered.offer),
            secondsLeft: Math.max(
              0,
              Math.round((Date.parse(offered.offer.expiresAt) - now.getTime()) / 1000),
            ),
          },
        }
      : {}),
  };
}

/** The staff's view of an agent: whether it has a socket open, not which ones (connection ids are secrets). */
export function publicAgent(agent: Agent) {
  const { connections, connectionsExpireAt: _expiry, ...rest } = agent;
  // An agent stored before skills were kept has none.
  return { ...rest, skills: agent.skills ?? [], connected: connections.length > 0 };
}

/**
 * A list of a call inside a view (the call's, the interaction's): its first page as `<list>`, and, when
 * more follow, `<list>NextCursor` to go on with on that list's own route.
 */
export function entriesView<L extends CallEntryList>(list: L, page: EntriesPage<L>) {
  return {
    [list]: page.items,
    ...(page.cursor ? { [`${list}NextCursor`]: page.cursor } : {}),
  } as { [K in L]: CallEntryOf[L][] } & { [K in `${L}NextCursor`]?: string };
}

/** The admin view of a call: everything but the task tokens, with the first page of each of its lists. */
export function publicCall(call: Call, lists: { [L in CallEntryList]: EntriesPage<L> }) {
  const { waiting, offers, newEntries: _new, entryCount: _count, ...rest } = call;
  return {
    ...rest,
    // A call stored before priorities and skills were kept has the defaults.
    priority: call.priority ?? PRIORITIES.lowest,
    requiredSkills: call.requiredSkills ?? [],
    waiting: waiting ? { since: waiting.since } : undefined,
    offers: offers.map(({ taskToken: _token, ...offer }) => offer),
    ...entriesView('conversation', lists.conversation),
    ...entriesView('timeline', lists.timeline),
  };
}
