import { type AgentProfile, newAgent, updateProfile } from '../agent.ts';
import type { Deps } from '../deps.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import { entriesView, publicCall } from '../messages.ts';
import type { Agent, Call, CallEntryList, Interaction, WorkItem, WorkItemStatus } from '../model.ts';
import { type Caller, holds, isAgentItself, requireRight, workingCallId } from '../permissions.ts';
import type { Page, PageRequest } from '../ports.ts';
import type { WakeWaitingCall } from '../steps/wake-waiting-call.ts';

/**
 * How many entries of a list a view of a call or an interaction carries (at most: a page also stops at
 * DynamoDB's 1 MB); the rest come a page at a time from the list's own route.
 */
export const ENTRIES_IN_VIEW = 1000;

/**
 * The staff's REST reads and agent registration, each checked against who is asking (core/permissions):
 * a right of the caller's groups, or an agent's own records. Reads never expose task tokens.
 */
export function makeAdmin({
  calls,
  agents,
  interactions,
  workItems,
  clock,
  wakeWaitingCall,
}: Pick<Deps, 'calls' | 'agents' | 'interactions' | 'workItems' | 'clock'> & {
  wakeWaitingCall: WakeWaitingCall;
}) {
  /**
   * The phone number of the caller on the call an agent is working (offered, live or in wrap-up): the one
   * caller whose interactions it may read, to see them with the offer. None for anyone but an agent.
   */
  async function callerPhoneOf(caller: Caller): Promise<string | undefined> {
    if (!caller.groups.includes('agents')) return undefined;
    const agent = await agents.get(caller.userId);
    const callId = agent && workingCallId(agent);
    return callId ? (await calls.get(callId))?.from : undefined;
  }

  /** Allows a supervisor, or an agent for the caller on its own call; the same refusal for all else. */
  async function requireInteractionsOf(caller: Caller, phone: string | undefined): Promise<void> {
    if (holds(caller, 'readInteractions')) return;
    if (phone !== undefined && phone === (await callerPhoneOf(caller))) return;
    throw new ForbiddenError(
      'an agent reads only the interactions of the caller on its own offered or live call; others need the supervisors group',
    );
  }

  async function readCall(callId: string): Promise<Call> {
    const call = await calls.get(callId);
    if (!call) throw new NotFoundError(`call ${callId} not found`);
    return call;
  }
  const firstPage = <L extends CallEntryList>(call: Call, list: L) =>
    calls.listEntries(call, list, { limit: ENTRIES_IN_VIEW });

  return {
    /**
     * Creates the agent (offline) or updates its profile; presence and reservation are left alone. An
     * available agent given a new queue or skill may now take a call that waits: it is woken.
     */
    async putAgent(
      caller: Caller,
      agentId: string,
      profile: AgentProfile,
    ): Promise<{ agent: Agent; created: boolean }> {
      requireRight(caller, 'manageAgents', 'registering or changing an agent');
      const { stored: agent, created } = await agents.create(newAgent(agentId, profile, clock.now()));
      if (created) return { agent, created };
      const { after } = await agents.update(agentId, (a) => updateProfile(a, profile));
      await wakeWaitingCall(after);
      return { agent: after, created: false };
    },
    /** A page of agents, sorted by id within the page (pages come in table order). */
    async listAgents(caller: Caller, page: PageRequest): Promise<Page<Agent>> {
      requireRight(caller, 'readAgents', 'listing agents');
      const { items, cursor } = await agents.listPage(page);
      return {
        items: items.sort((a, b) => a.agentId.localeCompare(b.agentId)),
        ...(cursor ? { cursor } : {}),
      };
    },
    /** One agent: its own record for an agent, any for supervisors and admins. */
    async getAgent(caller: Caller, agentId: string): Promise<Agent> {
      if (!isAgentItself(caller, agentId))
        requireRight(caller, 'readAgents', "reading another agent's record");
      const agent = await agents.get(agentId);
      if (!agent) throw new NotFoundError(`agent ${agentId} not found`);
      return agent;
    },
    /** A call with its offers and the first page of its conversation and of its timeline. */
    async getCall(caller: Caller, callId: string) {
      requireRight(caller, 'readCalls', 'reading a call');
      const call = await readCall(callId);
      const [conversation, timeline] = await Promise.all([
        firstPage(call, 'conversation'),
        firstPage(call, 'timeline'),
      ]);
      return publicCall(call, { conversation, timeline });
    },
    /** A page of a call's conversation or timeline, oldest first. */
    async listCallEntries<L extends CallEntryList>(
      caller: Caller,
      callId: string,
      list: L,
      page: PageRequest,
    ) {
      requireRight(caller, 'readCalls', `reading a call's ${list}`);
      return calls.listEntries(await readCall(callId), list, page);
    },
    /** An interaction with the first page of its call's conversation (none once the call is gone). */
    async getInteraction(caller: Caller, interactionId: string) {
      const interaction = await interactions.get(interactionId);
      // Checked first: an agent learns nothing of interactions it may not read, not even whether they exist.
      await requireInteractionsOf(caller, interaction?.phone);
      if (!interaction) throw new NotFoundError(`interaction ${interactionId} not found`);
      const call = await calls.get(interaction.callId);
      const conversation = call ? await firstPage(call, 'conversation') : { items: [] };
      return { ...interaction, ...entriesView('conversation', conversation) };
    },
    async listInteractionsByPhone(
      caller: Caller,
      phone: string,
      page: PageRequest,
    ): Promise<Page<Interaction>> {
      await requireInteractionsOf(caller, phone);
      return interactions.listByPhone(phone, page);
    },
    /** Work items of a status: all (or one agent's) for supervisors, an agent's own for the agent. */
    async listWorkItems(
      caller: Caller,
      filter: { status: WorkItemStatus; agentId?: string | undefined },
      page: PageRequest,
    ): Promise<Page<WorkItem>> {
      const agentId = filter.agentId ?? (holds(caller, 'readWorkItems') ? undefined : caller.userId);
      if (agentId === undefined) return workItems.list(filter.status, page);
      if (!isAgentItself(caller, agentId))
        requireRight(caller, 'readWorkItems', "reading another agent's work items");
      return workItems.listByAgent(agentId, filter.status, page);
    },
  };
}
