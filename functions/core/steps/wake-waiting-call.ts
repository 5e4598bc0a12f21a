import { stopWaiting } from '../call.ts';
import type { Deps } from '../deps.ts';
import { InvalidTransitionError } from '../errors.ts';
import type { Agent } from '../model.ts';
import { bestWaitingFor, WAITING_LOOKAHEAD } from '../routing.ts';

export type WakeCall = ReturnType<typeof makeWakeCall>;

/** Takes a call out of waiting (one waker wins the conditional write) and resumes its workflow. */
export function makeWakeCall({ calls, callbacks, clock }: Pick<Deps, 'calls' | 'callbacks' | 'clock'>) {
  return async function wake(callId: string): Promise<boolean> {
    try {
      const { before } = await calls.update(callId, (c) => stopWaiting(c, clock.now()));
      return before.waiting ? callbacks.succeed(before.waiting.taskToken, { woken: true }) : false;
    } catch (err) {
      if (err instanceof InvalidTransitionError) return false;
      throw err;
    }
  };
}

/**
 * An agent just became available: wake the first waiting call in queue order (priority, then arrival)
 * that it qualifies for, across its queues, if any. One call per available agent, so a burst of agents
 * wakes a burst of calls, each exactly once.
 */
export function makeWakeWaitingCall({ calls, wakeCall }: Pick<Deps, 'calls'> & { wakeCall: WakeCall }) {
  return async function wakeWaitingCall(agent: Agent): Promise<string | undefined> {
    if (agent.status !== 'available') return undefined;
    const waiting = (
      await Promise.all(agent.queues.map((q) => calls.listWaiting(q, WAITING_LOOKAHEAD)))
    ).flat();
    let candidates = waiting;
    for (;;) {
      const next = bestWaitingFor(agent, candidates);
      if (!next) return undefined;
      if (await wakeCall(next.callId)) return next.callId;
      candidates = candidates.filter((c) => c.callId !== next.callId);
    }
  };
}

export type WakeWaitingCall = ReturnType<typeof makeWakeWaitingCall>;
