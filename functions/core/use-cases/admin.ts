import { type AgentProfile, newAgent, updateProfile } from '../agent.ts';
import type { Deps } from '../deps.ts';
import { NotFoundError } from '../errors.ts';
import { publicCall } from '../messages.ts';
import type { Agent, WorkItemStatus } from '../model.ts';
import type { Page, PageRequest } from '../ports.ts';

/** Admin reads and agent registration. Reads never expose task tokens. */
export function makeAdmin({
  calls,
  agents,
  interactions,
  workItems,
  clock,
}: Pick<Deps, 'calls' | 'agents' | 'interactions' | 'workItems' | 'clock'>) {
  return {
    /** Creates the agent (offline) or updates its profile; presence and reservation are left alone. */
    async putAgent(agentId: string, profile: AgentProfile): Promise<{ agent: Agent; created: boolean }> {
      const { stored: agent, created } = await agents.create(newAgent(agentId, profile, clock.now()));
      if (created) return { agent, created };
      const { after } = await agents.update(agentId, (a) => updateProfile(a, profile));
      return { agent: after, created: false };
    },
    /** A page of agents, sorted by id within the page (pages come in table order). */
    async listAgents(page: PageRequest): Promise<Page<Agent>> {
      const { items, cursor } = await agents.listPage(page);
      return {
        items: items.sort((a, b) => a.agentId.localeCompare(b.agentId)),
        ...(cursor ? { cursor } : {}),
      };
    },
    async getCall(callId: string) {
      const call = await calls.get(callId);
      if (!call) throw new NotFoundError(`call ${callId} not found`);
      return publicCall(call);
    },
    async getInteraction(interactionId: string) {
      const interaction = await interactions.get(interactionId);
      if (!interaction) throw new NotFoundError(`interaction ${interactionId} not found`);
      return interaction;
    },
    listInteractionsByPhone: (phone: string, page: PageRequest) => interactions.listByPhone(phone, page),
    listWorkItems: (status: WorkItemStatus, page: PageRequest) => workItems.list(status, page),
  };
}
