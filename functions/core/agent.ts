import { AgentNotAvailableError, InvalidTransitionError } from './errors.ts';
import type { Agent, AgentSkill, AgentStatus, Call, OfferOutcome, SelectableAgentStatus } from './model.ts';

/**
 * Pure transitions of the agent aggregate. An agent holds at most one offer or call at a time: the
 * reservation is a conditional write on the agent item, so two calls can never reserve the same agent.
 */

export interface AgentProfile {
  name: string;
  queues: string[];
  autoAccept: boolean;
  skills?: AgentSkill[];
}

export function newAgent(agentId: string, profile: AgentProfile, now: Date): Agent {
  const at = now.toISOString();
  return {
    agentId,
    ...profile,
    status: 'offline',
    statusSince: at,
    idleSince: at,
    connections: [],
  };
}

export function updateProfile(agent: Agent, profile: AgentProfile): Agent {
  return { ...agent, ...profile };
}

function withStatus(agent: Agent, status: AgentStatus, now: Date, changes: Partial<Agent> = {}): Agent {
  const statusSince = agent.status === status ? agent.statusSince : now.toISOString();
  return { ...agent, ...changes, status, statusSince };
}

/** Whether the agent holds every skill the call requires, each at the call's minimum level or above. */
export function hasSkillsFor(agent: Pick<Agent, 'skills'>, call: Pick<Call, 'requiredSkills'>): boolean {
  return (call.requiredSkills ?? []).every(({ skill, minLevel = 1 }) =>
    (agent.skills ?? []).some((held) => held.skill === skill && held.level >= minLevel),
  );
}

/**
 * Whether the call may go to the agent through its queue, whatever the agent is doing now: the agent
 * serves the queue, holds the required skills, and has not rejected or missed the call.
 */
export function qualifiesFor(
  agent: Pick<Agent, 'agentId' | 'queues' | 'skills'>,
  call: Pick<Call, 'queue' | 'excludedAgents' | 'requiredSkills'>,
): boolean {
  return (
    agent.queues.includes(call.queue) &&
    hasSkillsFor(agent, call) &&
    !call.excludedAgents.includes(agent.agentId)
  );
}

/**
 * Whether the agent may be offered this call now. A direct transfer names the agent, so its queues and
 * skills do not matter then.
 */
export function canTake(
  agent: Agent,
  call: Pick<Call, 'queue' | 'excludedAgents' | 'requiredSkills'>,
  { direct = false }: { direct?: boolean } = {},
): boolean {
  return (
    agent.status === 'available' &&
    !agent.offer &&
    agent.connections.length > 0 &&
    (direct ? !call.excludedAgents.includes(agent.agentId) : qualifiesFor(agent, call))
  );
}

export function reserve(agent: Agent, offer: { offerId: string; callId: string }, now: Date): Agent {
  if (agent.status !== 'available' || agent.offer) {
    throw new AgentNotAvailableError(`agent ${agent.agentId} is ${agent.status}`);
  }
  return withStatus(agent, 'reserved', now, { offer });
}

/** Whether the agent is reserved for exactly this offer (held for a call by the agent that woke it). */
export const isHeldFor = (agent: Agent, offerId: string): boolean =>
  agent.status === 'reserved' && agent.offer?.offerId === offerId;

/**
 * The agent held for a woken call's next offer (`offerId`) is still held: the offer is about to be made. A
 * write of its own, so that whatever changed the agent since it was read (the sweep freeing it, the agent
 * going away) makes it fail instead of being overwritten; it restarts the reservation's grace period.
 */
export function confirmHold(agent: Agent, offerId: string, now: Date): Agent {
  if (!isHeldFor(agent, offerId)) {
    throw new AgentNotAvailableError(`agent ${agent.agentId} is no longer held for ${offerId}`);
  }
  return { ...agent, statusSince: now.toISOString() };
}

export interface ReleaseSettings {
  /** Status of an agent who let an offer time out. */
  missedOfferStatus: AgentStatus;
}

/**
 * Frees the agent from an offer once the offer has its outcome. A no-op when the agent is no longer
 * reserved for that offer (a repair already freed it), so repeating it is harmless.
 */
export function releaseFromOffer(
  agent: Agent,
  offerId: string,
  outcome: OfferOutcome,
  now: Date,
  settings: ReleaseSettings,
  reason?: string,
): Agent {
  if (agent.offer?.offerId !== offerId) return agent;
  const at = now.toISOString();
  const base: Partial<Agent> = { offer: undefined };
  switch (outcome) {
    case 'accepted':
      return withStatus(agent, 'on_call', now, { ...base, callId: agent.offer.callId });
    case 'missed':
      return withStatus(agent, settings.missedOfferStatus, now, { ...base, idleSince: at });
    case 'rejected':
      // Rejecting goes to the back of the line: fairer to the agents who waited.
      return withStatus(agent, 'available', now, { ...base, idleSince: at });
    case 'revoked':
      if (reason === 'agent_unreachable') return withStatus(agent, 'offline', now, base);
      // The agent already chose its status (away or offline): keep it, just drop the offer.
      if (reason === 'agent_away') {
        return withStatus(agent, agent.status === 'reserved' ? 'away' : agent.status, now, base);
      }
      // Not the agent's doing: it keeps its place in the idle order.
      return withStatus(agent, 'available', now, base);
    case 'setup_failed':
      return withStatus(agent, 'available', now, base);
  }
}

/** The audio of the agent's call never connected (bridge failed): the agent is free at once. */
export function dropUnbridgedCall(agent: Agent, callId: string, now: Date): Agent {
  if (agent.callId !== callId || agent.status !== 'on_call') return agent;
  return withStatus(agent, 'available', now, { callId: undefined });
}

/**
 * The agent's call ended: it moves to wrap-up until it sets itself available. Also when the end overtook
 * the accept's second write (the agent still reserved for that call): the accept then finds nothing to do.
 */
export function finishCall(agent: Agent, callId: string, now: Date): Agent {
  if (agent.status === 'reserved' && agent.offer?.callId === callId) {
    return withStatus(agent, 'wrap_up', now, { offer: undefined, callId });
  }
  if (agent.callId !== callId || agent.status !== 'on_call') return agent;
  return withStatus(agent, 'wrap_up', now);
}

/**
 * The agent chooses its status. Going available from wrap-up ends the wrap-up; an agent on a call or
 * reserved for an offer cannot go available (it already is busy); going away while reserved is allowed
 * and the caller of this transition revokes the offer.
 */
export function chooseStatus(agent: Agent, status: SelectableAgentStatus, now: Date): Agent {
  if (agent.status === 'on_call') {
    throw new InvalidTransitionError(`agent ${agent.agentId} is on a call; end it first`);
  }
  if (status === 'available') {
    if (agent.status === 'available') return agent;
    if (agent.status === 'reserved')
      throw new InvalidTransitionError(`agent ${agent.agentId} has a pending offer`);
    return withStatus(agent, 'available', now, { idleSince: now.toISOString(), callId: undefined });
  }
  // Leaving a reservation drops its offer here; the caller revokes the offer itself.
  return withStatus(agent, status, now, {
    offer: undefined,
    callId: agent.status === 'wrap_up' ? undefined : agent.callId,
  });
}

/** A socket opened for the agent, with the time its token expires (when the token says). */
export function addConnection(agent: Agent, connectionId: string, expiresAt?: string): Agent {
  if (agent.connections.includes(connectionId)) return agent;
  return {
    ...agent,
    connections: [...agent.connections, connectionId],
    ...(expiresAt
      ? { connectionsExpireAt: { ...agent.connectionsExpireAt, [connectionId]: expiresAt } }
      : {}),
    disconnectedAt: undefined,
  };
}

/** The agent's sockets whose token has expired. */
export function expiredConnections(agent: Agent, now: Date): string[] {
  return agent.connections.filter((id) => {
    const expiresAt = agent.connectionsExpireAt?.[id];
    return expiresAt !== undefined && Date.parse(expiresAt) <= now.getTime();
  });
}

export function removeConnections(agent: Agent, connectionIds: readonly string[], now: Date): Agent {
  const connections = agent.connections.filter((c) => !connectionIds.includes(c));
  if (connections.length === agent.connections.length) return agent;
  const expiring = Object.entries(agent.connectionsExpireAt ?? {}).filter(([id]) => connections.includes(id));
  return {
    ...agent,
    connections,
    connectionsExpireAt: expiring.length > 0 ? Object.fromEntries(expiring) : undefined,
    ...(connections.length === 0 ? { disconnectedAt: now.toISOString() } : {}),
  };
}

export interface PresenceSettings {
  wrapUpSeconds: number;
  agentOfflineGraceSeconds: number;
}

/**
 * Time-driven presence, applied by the sweeper: a wrap-up that ran its time makes the agent available;
 * an agent with no socket for longer than the grace period goes offline (a live call is left alone: the
 * audio does not go through the socket).
 */
export function expirePresence(agent: Agent, now: Date, settings: PresenceSettings): Agent {
  const elapsed = (since: string | undefined) => (since ? (now.getTime() - Date.parse(since)) / 1000 : 0);
  if (agent.status === 'wrap_up' && elapsed(agent.statusSince) >= settings.wrapUpSeconds) {
    return withStatus(agent, 'available', now, { idleSince: now.toISOString(), callId: undefined });
  }
  const idle = agent.status === 'available' || agent.status === 'not_responding' || agent.status === 'away';
  if (
    idle &&
    agent.connections.length === 0 &&
    elapsed(agent.disconnectedAt) >= settings.agentOfflineGraceSeconds
  ) {
    return withStatus(agent, 'offline', now);
  }
  return agent;
}
