import { removeConnections } from '../agent.ts';
import type { Deps } from '../deps.ts';
import type { RevokeAgentOffer } from './revoke-agent-offer.ts';

export type DropSockets = ReturnType<typeof makeDropSockets>;

/**
 * Forgets sockets of an agent that closed. When they were its last ones and an offer is pending, nobody can
 * answer it: the offer is revoked as agent_unreachable and the call goes to the next agent without waiting
 * for the timeout. A live call is not touched: the audio goes through the CCaaS, not the socket.
 */
export function makeDropSockets(
  deps: Pick<Deps, 'agents' | 'clock'> & { revokeAgentOffer: RevokeAgentOffer },
) {
  const { agents, clock, revokeAgentOffer } = deps;
  return async function dropSockets(agentId: string, connectionIds: readonly string[]): Promise<void> {
    const agent = await agents.get(agentId);
    if (!agent) return;
    const { after } = await agents.update(
      agentId,
      (a) => removeConnections(a, connectionIds, clock.now()),
      agent,
    );
    if (after.connections.length === 0 && after.status === 'reserved') {
      await revokeAgentOffer(after, 'agent_unreachable');
    }
  };
}
