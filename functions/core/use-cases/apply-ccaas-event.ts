import { acceptSeq, addConversation, appendTimeline, applyControl } from '../call.ts';
import type { Deps } from '../deps.ts';
import { NotFoundError } from '../errors.ts';
import { callStateView } from '../messages.ts';
import type { Call } from '../model.ts';
import type { AgentMessenger } from '../steps/agent-messenger.ts';
import type { BridgeFailedFlow } from '../steps/bridge-failed.ts';
import type { EndCallFlow } from '../steps/end-call.ts';
import type { SyncInteraction } from '../steps/ensure-interaction.ts';
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
 * flow; mute/hold facts update the call and reach the agent as `callState`; the rest go on the timeline.
 */
export function makeApplyCcaasEvent(
  deps: Pick<Deps, 'calls' | 'clock'> & {
    send: AgentMessenger;
    endCall: EndCallFlow;
    bridgeFailed: BridgeFailedFlow;
    syncInteraction: SyncInteraction;
  },
) {
  const { calls, clock, send, endCall, bridgeFailed, syncInteraction } = deps;
  return async function applyCcaasEvent(
    callId: string,
    event: CcaasEvent,
  ): Promise<{ call: Call; applied: boolean }> {
    const current = await calls.get(callId);
    if (!current) throw new NotFoundError(`call ${callId} not found`);
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
    if (event.seq <= current.lastEventSeq) return { call: current, applied: false };
    const now = clock.now();
    const { after, changed } = await calls.update(callId, (c) => {
      const sequenced = acceptSeq(c, event.seq);
      if (!sequenced) return c;
      if (isControl(event.type) && sequenced.status === 'connected') {
        return applyControl(sequenced, event.type, now, 'ccaas');
      }
      if (event.type === 'transcript' && event.text) {
        return addConversation(sequenced, {
          at: event.at,
          kind: 'transcript',
          by: 'ccaas',
          text: event.text,
        });
      }
      return appendTimeline(sequenced, now, {
        type: event.type,
        ...(event.text ? { detail: event.text } : {}),
      });
    });
    if (changed && event.type === 'transcript') await syncInteraction(after);
    if (changed && after.agentId && after.status === 'connected') {
      await send(after.agentId, { type: 'callState', ...callStateView(after) });
    }
    return { call: after, applied: changed };
  };
}
