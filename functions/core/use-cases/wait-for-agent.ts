import { isRoutedBy, startWaiting } from '../call.ts';
import type { Deps } from '../deps.ts';
import { CallEndedError, roundOver, WorkflowErrors, WorkflowSignal } from '../errors.ts';
import { rankCandidates } from '../routing.ts';
import type { WakeWaitingCall } from '../steps/wake-waiting-call.ts';

/**
 * The WaitForAgent workflow task: park the call in its queue until an agent is free.
 * Main course: record the waiting token on the call. Race: an agent may have become available between
 * the failed offer and this write, and nobody would wake us, so we look once more after parking: each
 * agent free for this call wakes the first waiting call it qualifies for, as if it had just become
 * available (this call, or one ahead of it). Failure paths: the call ended, or another round routes it → CallEnded; its total queue time is
 * used up → QueueTimeExceeded (the workflow overflows it).
 */
export function makeWaitForAgent(
  deps: Pick<Deps, 'calls' | 'agents' | 'clock' | 'settings'> & { wakeWaitingCall: WakeWaitingCall },
) {
  const { calls, agents, clock, settings, wakeWaitingCall } = deps;
  return async function waitForAgent(callId: string, taskToken: string, route = 0): Promise<void> {
    const call = await calls.get(callId);
    if (!isRoutedBy(call, route)) throw roundOver(callId);
    const waitedMs = clock.now().getTime() - Date.parse(call.routedAt);
    if (waitedMs >= settings.maxQueueSeconds * 1000) {
      throw new WorkflowSignal(
        WorkflowErrors.QueueTimeExceeded,
        `call ${callId} waited ${Math.round(waitedMs / 1000)} s`,
      );
    }
    try {
      await calls.update(callId, (c) => startWaiting(c, taskToken, clock.now()));
    } catch (err) {
      // The caller hung up between the look and the write: as ended as if it had been seen.
      if (err instanceof CallEndedError) throw roundOver(callId);
      throw err;
    }
    for (const agent of rankCandidates(await agents.listAvailable(call.queue), call)) {
      if ((await wakeWaitingCall(agent)) === callId) return;
    }
  };
}
