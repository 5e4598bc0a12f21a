import { acceptSeq, addConversation, appendTimeline, applyControl } from '../call.ts';
import type { Deps } from '../deps.ts';
import { callStateView } from '../messages.ts';
import type { Call } from '../model.ts';
import type { AgentMessenger } from '../steps/agent-messenger.ts';
import type { BridgeFailedFlow } from '../steps/bridge-failed.ts';
import type { EndCallFlow } from '../steps/end-call.ts';
import { CALL_CONTROLS, type CallControl, type CcaasEventType } from '../vocabulary.ts';

export interface CcaasEvent {
  seq: number;
  type: CcaasEventType;
  at: string;
  reason?: string;
  text?: string;
}

const isControl = (type: CcaasEventType): type is CallControl =>
  (CALL_CONTROLS as readonly string[]).includes(type);

/**
 * An event the CCaaS reports about a call. Events apply in `seq` order: one at or below the last applied
 * seq is stale, changes nothing and is answered with the current state. Hang-up and end run the end-of-call
 * flow; mute/hold facts update the call and reach the agent as `callState`; a transcript segment goes on the
 * conversation (which the interaction shows from the call: nothing to copy); the rest go on the timeline.
 */
export function makeApplyCcaasEvent(
  deps: Pick<Deps, 'calls' | 'clock'> & {
    send: AgentMessenger;
    endCall: EndCallFlow;
    bridgeFailed: BridgeFailedFlow;
  },
) {
  const { calls, clock, send, endCall, bridgeFailed } = deps;
  return async function applyCcaasEvent(
    callId: string,
    event: CcaasEvent,
  ): Promise<{ call: Call; applied: boolean }> {
    // An end is never stale: a hang-up retried after a later event must still end the call.
    if (event.type === 'caller_hangup') {
      const { call, changed } = await endCall(callId, 'caller_hangup', 'caller', { seq: event.seq });
      return { call, applied: changed };
    }
    if (event.type === 'ended') {
      const { call, changed } = await endCall(callId, 'ended', 'ccaas', {
        seq: event.seq,
        ...(event.reason ? { detail: event.reason } : {}),
      });
      return { call, applied: changed };
    }
    // A failed bridge checks its seq itself, so that its retry can still restart the routing round.
    if (event.type === 'bridge_failed') {
      const { call, changed } = await bridgeFailed(callId, event.seq, event.reason);
      return { call, applied: changed };
    }
    const now = clock.now();
    const { after, changed } = await calls.update(callId, (c) => {
      // Stale: nothing changes, and the answer is the current state.
      const sequenced = acceptSeq(c, event.seq);
      if (!sequenced) return c;
      if (isControl(event.type) && sequenced.status === 'connected') {
        return applyControl(sequenced, event.type, now, 'ccaas');
      }
      if (event.type === 'transcript' && event.text) {
        return addConversation(
          sequenced,
          { at: event.at, kind: 'transcript', by: 'ccaas', text: event.text },
          now,
        );
      }
      return appendTimeline(sequenced, now, {
        type: event.type,
        ...(event.text ? { detail: event.text } : {}),
      });
    });
    // Only a control changes what the agent's call screen shows (a transcript segment does not).
    if (changed && isControl(event.type) && after.agentId && after.status === 'connected') {
      await send(after.agentId, { type: 'callState', ...callStateView(after) });
    }
    return { call: after, applied: changed };
  };
}
