import { dropUnbridgedCall } from '../agent.ts';
import { acceptSeq, bridgeFailed } from '../call.ts';
import type { Deps } from '../deps.ts';
import { callStateView } from '../messages.ts';
import type { Call } from '../model.ts';
import type { AgentMessenger } from './agent-messenger.ts';
import type { StartRouting } from './start-routing.ts';
import type { WakeWaitingCall } from './wake-waiting-call.ts';

export type BridgeFailedFlow = ReturnType<typeof makeBridgeFailed>;

/**
 * The CCaaS reports `bridge_failed`: the agent accepted but the audio could not be connected.
 * Main course: the accepted offer ends `setup_failed` (one conditional write, in seq order), a new workflow
 * execution routes the call to the next agent, and the agent is free again (its screen gets the call's new
 * state). A retry of the same event after a failure halfway starts the execution again (a no-op if it
 * runs). Failure path: no accepted offer to fail → INVALID_STATE.
 */
export function makeBridgeFailed(
  deps: Pick<Deps, 'calls' | 'agents' | 'clock'> & {
    send: AgentMessenger;
    wakeWaitingCall: WakeWaitingCall;
    startRouting: StartRouting;
  },
) {
  const { calls, agents, clock, send, wakeWaitingCall, startRouting } = deps;
  return async function onBridgeFailed(
    callId: string,
    seq: number,
    reason?: string,
  ): Promise<{ call: Call; changed: boolean }> {
    const { before, after, changed } = await calls.update(callId, (c) => {
      const sequenced = acceptSeq(c, seq);
      return sequenced ? bridgeFailed(sequenced, clock.now(), reason) : c;
    });
    const failedOffer = after.offers.findLast((o) => o.status === 'setup_failed');
    if (!changed) {
      // A retry: make sure the new round runs (idempotent by execution name), change nothing else.
      if (after.status === 'queued' && failedOffer && !after.waiting) await startRouting(after);
      return { call: after, changed };
    }
    await startRouting(after);
    if (before.agentId) {
      const freed = await agents.update(before.agentId, (a) => dropUnbridgedCall(a, callId, clock.now()));
      await send(before.agentId, { type: 'callState', ...callStateView(after) });
      if (freed.changed) await wakeWaitingCall(freed.after);
    }
    return { call: after, changed };
  };
}
