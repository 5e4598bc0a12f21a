import { isTerminal, startWaiting, stopWaiting } from '../call.ts';
import { InvalidTransitionError, WorkflowErrors, WorkflowSignal } from '../errors.ts';
import type { Agent } from '../model.ts';
import { oldestWaitingFor, rankCandidates } from '../routing.ts';
import type { Deps } from './deps.ts';

/**
 * The WaitForAgent workflow task: park the call in its queue until an agent is free.
 * Main course: record the waiting token on the call. Race: an agent may have become available between
 * the failed offer and this write, and nobody would wake us, so we look once more after parking and wake
 * ourselves. Failure paths: the call ended → CallEnded; its total queue time is used up → QueueTimeExceeded
 * (the workflow overflows it).
 */
export function makeWaitForAgent(deps: Pick<Deps, 'calls' | 'agents' | 'callbacks' | 'clock' | 'settings'>) {
  const { calls, agents, clock, settings } = deps;
  const wake = makeWakeCall(deps);
  return async function waitForAgent(callId: string, taskToken: string, route = 0): Promise<void> {
    const call = await calls.get(callId);
    if (!call || isTerminal(call.status) || call.route !== route) {
      throw new WorkflowSignal(
        WorkflowErrors.CallEnded,
        `call ${callId} ended or is routed by another round`,
      );
    }
    const waitedMs = clock.now().getTime() - Date.parse(call.routedAt);
    if (waitedMs >= settings.maxQueueSeconds * 1000) {
      throw new WorkflowSignal(
        WorkflowErrors.QueueTimeExceeded,
        `call ${callId} waited ${Math.round(waitedMs / 1000)} s`,
      );
    }
    await calls.update(callId, (c) => startWaiting(c, taskToken, clock.now()));
    if (rankCandidates(await agents.listAvailable(call.queue), call).length > 0) await wake(callId);
  };
}

/** Takes a call out of waiting (one waker wins the conditional write) and resumes its workflow. */
function makeWakeCall({ calls, callbacks, clock }: Pick<Deps, 'calls' | 'callbacks' | 'clock'>) {
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
 * An agent just became available: wake the longest-waiting call it may take, if any. One call per
 * available agent, so a burst of agents wakes a burst of calls, each exactly once.
 */
export function makeWakeWaitingCall(deps: Pick<Deps, 'calls' | 'callbacks' | 'clock'>) {
  const wake = makeWakeCall(deps);
  return async function wakeWaitingCall(agent: Agent): Promise<string | undefined> {
    if (agent.status !== 'available') return undefined;
    const waiting = (await Promise.all(agent.queues.map((q) => deps.calls.listWaiting(q, 10)))).flat();
    let candidates = waiting;
    for (;;) {
      const next = oldestWaitingFor(agent, candidates);
      if (!next) return undefined;
      if (await wake(next.callId)) return next.callId;
      candidates = candidates.filter((c) => c.callId !== next.callId);
    }
  };
}

export type WakeWaitingCall = ReturnType<typeof makeWakeWaitingCall>;
