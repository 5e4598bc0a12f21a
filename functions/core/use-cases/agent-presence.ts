import { addConnection, chooseStatus } from '../agent.ts';
import type { Deps } from '../deps.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import { snapshot } from '../messages.ts';
import type { Agent, Call, SelectableAgentStatus } from '../model.ts';
import type { DropSockets } from '../steps/drop-sockets.ts';
import type { RevokeAgentOffer } from '../steps/revoke-agent-offer.ts';
import type { WakeWaitingCall } from '../steps/wake-waiting-call.ts';

/**
 * The agent sets its own status. Going away or offline with a pending offer revokes it (the call goes to
 * the next agent at once); becoming available wakes the longest-waiting call the agent may take (setting
 * the status it already has changes and wakes nothing).
 */
export function makeSetAgentStatus(
  deps: Pick<Deps, 'agents' | 'clock'> & {
    revokeAgentOffer: RevokeAgentOffer;
    wakeWaitingCall: WakeWaitingCall;
  },
) {
  const { agents, clock, revokeAgentOffer, wakeWaitingCall } = deps;
  return async function setAgentStatus(agentId: string, status: SelectableAgentStatus): Promise<Agent> {
    const agent = await agents.get(agentId);
    if (!agent) throw new NotFoundError(`agent ${agentId} not found`);
    const revoking = agent.status === 'reserved' && status !== 'available';
    if (revoking) await revokeAgentOffer(agent, 'agent_away');
    const { after, changed } = await agents.update(
      agentId,
      (a) => chooseStatus(a, status, clock.now()),
      revoking ? undefined : agent,
    );
    // Only an agent who just became available wakes a call: one who already was woke one then.
    if (changed && after.status === 'available' && agent.status !== 'available') await wakeWaitingCall(after);
    return after;
  };
}

/**
 * A socket opened for an agent (the authorizer already proved who it is), kept until its token expires
 * (`tokenExpiresAt`, when the token has one). Unknown agents are refused.
 */
export function makeConnectAgent({ agents }: Pick<Deps, 'agents'>) {
  return async function connectAgent(
    agentId: string,
    connectionId: string,
    tokenExpiresAt?: string,
  ): Promise<Agent> {
    const agent = await agents.get(agentId);
    if (!agent) throw new ForbiddenError(`agent ${agentId} is not registered`);
    const { after } = await agents.update(
      agentId,
      (a) => addConnection(a, connectionId, tokenExpiresAt),
      agent,
    );
    return after;
  };
}

/** A socket closed (`$disconnect`): see dropSockets. */
export function makeDisconnectAgent({ dropSockets }: { dropSockets: DropSockets }) {
  return async function disconnectAgent(agentId: string, connectionId: string): Promise<void> {
    await dropSockets(agentId, [connectionId]);
  };
}

/** The agent's view of itself: status, live call, pending offer with the time left. */
export function makeAgentSnapshot({ agents, calls, clock }: Pick<Deps, 'agents' | 'calls' | 'clock'>) {
  return async function agentSnapshot(agentId: string) {
    const agent = await agents.get(agentId);
    if (!agent) throw new NotFoundError(`agent ${agentId} not found`);
    const ids = [agent.offer?.callId, agent.callId].filter((id): id is string => Boolean(id));
    const found = await Promise.all([...new Set(ids)].map((id) => calls.get(id)));
    return snapshot(
      agent,
      found.filter((c): c is Call => Boolean(c)),
      clock.now(),
    );
  };
}
