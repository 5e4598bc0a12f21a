import { removeConnections } from '../agent.ts';
import type { Deps } from '../deps.ts';
import type { ServerMessage } from '../messages.ts';
import type { Agent } from '../model.ts';

export type AgentMessenger = ReturnType<typeof makeAgentMessenger>;

/**
 * Sends a message to every socket of an agent (tabs, devices). Connections the gateway reports gone are
 * dropped from the agent. Returns whether at least one socket took the message.
 */
export function makeAgentMessenger({ agents, pusher, clock }: Pick<Deps, 'agents' | 'pusher' | 'clock'>) {
  return async function send(target: string | Agent | undefined, message: ServerMessage): Promise<boolean> {
    const agent = typeof target === 'string' ? await agents.get(target) : target;
    if (!agent || agent.connections.length === 0) return false;
    const { gone } = await pusher.push(agent.connections, message);
    if (gone.length > 0)
      await agents.update(agent.agentId, (a) => removeConnections(a, gone, clock.now()), agent);
    return gone.length < agent.connections.length;
  };
}
