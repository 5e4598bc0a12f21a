import { ForbiddenError } from './errors.ts';
import type { Agent } from './model.ts';
import type { StaffGroup } from './vocabulary.ts';

/** Who is asking: the signed-in person (the token's `sub`; an agent's id) and their groups. */
export interface Caller {
  userId: string;
  groups: readonly StaffGroup[];
}

/** What a group may do to records that are not its own (an agent's own records have rules of their own). */
export type StaffRight =
  | 'manageAgents'
  | 'manageDeliveries'
  | 'readAgents'
  | 'readCalls'
  | 'readInteractions'
  | 'readStats'
  | 'readWorkItems';

/**
 * Who may do what, once (the README's table says the same): admins manage agents and their queues, and
 * the delivery of webhooks (sending dead-lettered ones again); supervisors read agents, calls,
 * interactions, work items and the live view of the contact center (`GET /v1/stats`); agents hold no right over others' records. A person in several groups has
 * every right of each.
 */
export const GROUP_RIGHTS: Record<StaffGroup, readonly StaffRight[]> = {
  admins: ['manageAgents', 'manageDeliveries', 'readAgents'],
  supervisors: ['readAgents', 'readCalls', 'readInteractions', 'readStats', 'readWorkItems'],
  agents: [],
};

export function holds(caller: Caller, right: StaffRight): boolean {
  return caller.groups.some((group) => GROUP_RIGHTS[group].includes(right));
}

/** The groups that hold a right, for the refusal's message. */
function groupsWith(right: StaffRight): StaffGroup[] {
  return (Object.keys(GROUP_RIGHTS) as StaffGroup[]).filter((g) => GROUP_RIGHTS[g].includes(right));
}

/** Throws FORBIDDEN (403) unless one of the caller's groups holds the right. */
export function requireRight(caller: Caller, right: StaffRight, what: string): void {
  if (!holds(caller, right))
    throw new ForbiddenError(`${what} needs the ${groupsWith(right).join(' or ')} group`);
}

/** The caller as an agent acting on its own records: in the `agents` group, and the agent named. */
export function isAgentItself(caller: Caller, agentId: string): boolean {
  return caller.groups.includes('agents') && caller.userId === agentId;
}

/** The call an agent is working on: offered to it, live, or being wrapped up. */
export function workingCallId(agent: Agent): string | undefined {
  return agent.offer?.callId ?? agent.callId;
}
