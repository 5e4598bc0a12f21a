import { canTake } from './agent.ts';
import type { Agent, Call } from './model.ts';

/**
 * Routing policy: the longest-idle available agent who serves the call's queue, is connected, and has
 * not rejected or missed this call before. Ties go to the lower agent id so the order is deterministic.
 */
export function rankCandidates(
  agents: readonly Agent[],
  call: Pick<Call, 'queue' | 'excludedAgents'>,
): Agent[] {
  return agents
    .filter((a) => canTake(a, call))
    .sort((a, b) => a.idleSince.localeCompare(b.idleSince) || a.agentId.localeCompare(b.agentId));
}

/** Of the calls waiting in an agent's queues, the one that has waited longest and may go to this agent. */
export function oldestWaitingFor(agent: Agent, waiting: readonly Call[]): Call | undefined {
  return waiting
    .filter((c) => c.waiting && agent.queues.includes(c.queue) && !c.excludedAgents.includes(agent.agentId))
    .sort((a, b) => (a.waiting?.since ?? '').localeCompare(b.waiting?.since ?? ''))[0];
}
