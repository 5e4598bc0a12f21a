import { dropUnbridgedCall } from '../agent.ts';
import { acceptSeq, bridgeFailed } from '../call.ts';
import { callStateView } from '../messages.ts';
import type { Call } from '../model.ts';
import type { AgentMessenger } from './agent-messenger.ts';
import type { Deps } from './deps.ts';
import type { WakeWaitingCall } from './wait-for-agent.ts';

export type BridgeFailedFlow = ReturnType<typeof makeBridgeFailed>;

/**
 * The CCaaS reports `bridge_failed`: the agent accepted but the audio could not be connected.
 * Main course: the accepted offer ends `setup_failed` (one conditional write, in seq order), the agent is
 * free again (its screen gets the call's new state), and a new workflow execution offers the call to the
 * next agent. Failure paths: no accepted offer to fail (already ended, or never accepted) → INVALID_STATE.
 */
export function makeBridgeFailed(
  deps: Pick<Deps, 'calls' | 'agents' | 'starter' | 'clock' | 'settings'> & {
    send: AgentMessenger;
    wakeWaitingCall: WakeWaitingCall;
  },
) {
  const { calls, agents, starter, clock, settings, send, wakeWaitingCall } = deps;
  return async function onBridgeFailed(
    callId: string,
    seq: number,
    reason?: string,
  ): Promise<{ call: Call; changed: boolean }> {
    const { before, after, changed } = await calls.update(callId, (c) => {
      const sequenced = acceptSeq(c, seq);
      return sequenced ? bridgeFailed(sequenced, clock.now(), reason) : c;
    });
    if (!changed) return { call: after, changed };
    if (before.agentId) {
      const freed = await agents.update(before.agentId, (a) => dropUnbridgedCall(a, callId, clock.now()));
      await send(before.agentId, { type: 'callState', ...callStateView(after) });
      if (freed.changed) await wakeWaitingCall(freed.after);
    }
    await starter.start({
      callId,
      route: after.route,
      offerTimeoutSeconds: settings.offerTimeoutSeconds,
      maxQueueSeconds: settings.maxQueueSeconds,
    });
    return { call: after, changed };
  };
}
