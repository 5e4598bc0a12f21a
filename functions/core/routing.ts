import { canTake, qualifiesFor } from './agent.ts';
import type { Agent, Call } from './model.ts';

/** A call's priority: higher is offered first; a call that names none has the lowest. */
export const PRIORITIES = { lowest: 0, highest: 10 } as const;
/**
 * How many waiting calls of a queue routing looks at, first in queue order: enough that calls needing a
 * skill nobody free has do not hide the ones behind them.
 */
export const WAITING_LOOKAHEAD = 50;
/** An agent's level in a skill, from basic to expert; a call may ask for a minimum. */
export const SKILL_LEVELS = { lowest: 1, highest: 5 } as const;

/**
 * Routing policy: the longest-idle available agent who serves the call's queue, holds every skill it
 * requires, is connected, and has not rejected or missed this call before. Ties go to the lower agent id
 * so the order is deterministic.
 */
export function rankCandidates(
  agents: readonly Agent[],
  call: Pick<Call, 'queue' | 'excludedAgents' | 'requiredSkills'>,
): Agent[] {
  return agents
    .filter((a) => canTake(a, call))
    .sort((a, b) => a.idleSince.localeCompare(b.idleSince) || a.agentId.localeCompare(b.agentId));
}

/**
 * Which of `n` candidates a call tries after losing its `lost`-th claim: spread by the call's id (FNV-1a), so
 * calls that lost the same agent at the same moment go on to different ones, and the same call always picks
 * the same way.
 */
export function spreadPick(callId: string, lost: number, n: number): number {
  let hash = 0x811c9dc5;
  for (const ch of `${callId}#${lost}`) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return hash % n;
}

/**
 * A call's place in its queue, as a string that sorts in queue order: the higher priority first, then the
 * earlier arrival (when its current routing round began, so a call that was offered and rejected keeps its
 * place). The store sorts the waiting index by it, so the order is written once, here.
 */
export function queuePlace(call: Pick<Call, 'priority' | 'routedAt'>): string {
  const rank = PRIORITIES.highest - (call.priority ?? PRIORITIES.lowest);
  return `${String(rank).padStart(String(PRIORITIES.highest).length, '0')}#${call.routedAt}`;
}

/** Queue order of two calls (for `sort`): by `queuePlace`, then by call id so the order is total. */
export function queueOrder(
  a: Pick<Call, 'callId' | 'priority' | 'routedAt'>,
  b: Pick<Call, 'callId' | 'priority' | 'routedAt'>,
): number {
  const [pa, pb] = [queuePlace(a), queuePlace(b)];
  if (pa !== pb) return pa < pb ? -1 : 1;
  return a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0;
}

/**
 * Of the waiting calls in an agent's queues, the first in queue order that the agent qualifies for. A
 * call the agent cannot take (a skill it lacks) never holds back one it can take behind it.
 */
export function bestWaitingFor(agent: Agent, waiting: readonly Call[]): Call | undefined {
  return waiting.filter((c) => c.waiting && qualifiesFor(agent, c)).sort(queueOrder)[0];
}

/**
 * A waiting call of the same queue that comes before `call` and that the agent could take instead: the
 * agent must go to that one, so a call never overtakes those waiting ahead of it.
 */
export function waitingAheadFor(agent: Agent, call: Call, waiting: readonly Call[]): Call | undefined {
  return bestWaitingFor(
    agent,
    waiting.filter((w) => w.callId !== call.callId && w.queue === call.queue && queueOrder(w, call) < 0),
  );
}
