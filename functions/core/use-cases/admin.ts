import { type AgentProfile, newAgent, updateProfile } from '../agent.ts';
import type { Deps } from '../deps.ts';
import { NotFoundError } from '../errors.ts';
import { entriesView, publicCall } from '../messages.ts';
import type { Agent, Call, CallEntryList, WorkItemStatus } from '../model.ts';
import type { Page, PageRequest } from '../ports.ts';

/**
 * How many entries of a list a view of a call or an interaction carries (at most: a page also stops at
 * DynamoDB's 1 MB); the rest come a page at a time from the list's own route.
 */
export const ENTRIES_IN_VIEW = 1000;

/** Admin reads and agent registration. Reads never expose task tokens. */
export function makeAdmin({
  calls,
  agents,
  interactions,
  workItems,
  clock,
}: Pick<Deps, 'calls' | 'agents' | 'interactions' | 'workItems' | 'clock'>) {
  async function readCall(callId: string): Promise<Call> {
    const call = await calls.get(callId);
    if (!call) throw new NotFoundError(`call ${callId} not found`);
    return call;
  }
  const firstPage = <L extends CallEntryList>(call: Call, list: L) =>
    calls.listEntries(call, list, { limit: ENTRIES_IN_VIEW });

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
    /** A call with its offers and the first page of its conversation and of its timeline. */
    async getCall(callId: string) {
      const call = await readCall(callId);
      const [conversation, timeline] = await Promise.all([
        firstPage(call, 'conversation'),
        firstPage(call, 'timeline'),
      ]);
      return publicCall(call, { conversation, timeline });
    },
    /** A page of a call's conversation or timeline, oldest first. */
    async listCallEntries<L extends CallEntryList>(callId: string, list: L, page: PageRequest) {
      return calls.listEntries(await readCall(callId), list, page);
    },
    /** An interaction with the first page of its call's conversation (none once the call is gone). */
    async getInteraction(interactionId: string) {
      const interaction = await interactions.get(interactionId);
      if (!interaction) throw new NotFoundError(`interaction ${interactionId} not found`);
      const call = await calls.get(interaction.callId);
      const conversation = call ? await firstPage(call, 'conversation') : { items: [] };
      return { ...interaction, ...entriesView('conversation', conversation) };
    },
    listInteractionsByPhone: (phone: string, page: PageRequest) => interactions.listByPhone(phone, page),
    listWorkItems: (status: WorkItemStatus, page: PageRequest) => workItems.list(status, page),
  };
}
