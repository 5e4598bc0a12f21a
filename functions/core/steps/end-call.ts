import { finishCall, releaseFromOffer } from '../agent.ts';
import { endCall, isTerminal, pendingOffer } from '../call.ts';
import type { Deps } from '../deps.ts';
import { WorkflowErrors } from '../errors.ts';
import { callEvent } from '../events.ts';
import { callStateView } from '../messages.ts';
import type { Call, EndedBy } from '../model.ts';
import type { EndReason } from '../vocabulary.ts';
import type { AgentMessenger } from './agent-messenger.ts';
import { offerRevokedEvent } from './close-offer.ts';
import type { SyncInteraction } from './ensure-interaction.ts';
import type { ReleaseHeldAgent } from './release-held-agent.ts';
import type { WakeWaitingCall } from './wake-waiting-call.ts';

export type EndCallFlow = ReturnType<typeof makeEndCall>;

/**
 * The call ended: the caller hung up, the CCaaS reports it ended, or the agent hung up.
 * Main course: one conditional write ends the call (abandoned before it connected, completed after).
 * Then: a pending offer is revoked (the agent's card disappears, the agent is free again, the workflow's
 * task fails with CallEnded); a waiting call's workflow is ended the same way, and an agent held for a woken
 * call's next offer is freed; a connected agent moves to wrap-up; the interaction, if any, gets duration,
 * end reason and who ended it. An end is never stale: it applies whatever its seq (it only raises
 * lastEventSeq). Ending an ended call changes nothing, but repeats
 * the idempotent follow-ups, so a CCaaS retry heals a first attempt that failed halfway. `detail` is the
 * CCaaS's own words for why the call ended, kept on the timeline; `known`, the call as the caller just read
 * it, which spares a read (a stale one costs a failed condition and a read).
 */
export function makeEndCall(
  deps: Pick<Deps, 'calls' | 'agents' | 'callbacks' | 'events' | 'clock' | 'settings'> & {
    send: AgentMessenger;
    wakeWaitingCall: WakeWaitingCall;
    syncInteraction: SyncInteraction;
    releaseHeldAgent: ReleaseHeldAgent;
  },
) {
  const { calls, agents, callbacks, events, clock, settings, send, wakeWaitingCall, syncInteraction } = deps;
  const { releaseHeldAgent } = deps;
  return async function end(
    callId: string,
    reason: EndReason,
    endedBy: EndedBy,
    { seq, detail, known }: { seq?: number; detail?: string; known?: Call } = {},
  ): Promise<{ call: Call; changed: boolean }> {
    const now = clock.now();
    const { before, after } = await calls.update(
      callId,
      (c) => {
        const sequenced = seq === undefined || seq <= c.lastEventSeq ? c : { ...c, lastEventSeq: seq };
        return endCall(sequenced, reason, endedBy, now, detail);
      },
      known,
    );
    const endedNow = !isTerminal(before.status);
    const offer = endedNow ? pendingOffer(before) : undefined;
    if (offer) {
      const released = await agents.update(offer.agentId, (a) =>
        releaseFromOffer(a, offer.offerId, 'revoked', now, settings, reason),
      );
      if (released.changed) await wakeWaitingCall(released.after);
      await send(released.after, { type: 'offerRevoked', offerId: offer.offerId, callId, reason });
      await events.publish([offerRevokedEvent(after, offer, reason)]);
      if (offer.taskToken) await callbacks.fail(offer.taskToken, WorkflowErrors.CallEnded, reason);
    }
    if (endedNow && before.waiting) {
      await callbacks.fail(before.waiting.taskToken, WorkflowErrors.CallEnded, reason);
    }
    await releaseHeldAgent(after, reason);
    if (after.status === 'completed' && after.agentId) {
      const agentId = after.agentId;
      const { changed: wrapped, after: agent } = await agents.update(agentId, (a) =>
        finishCall(a, callId, now),
      );
      if (endedNow || wrapped) await send(agent, { type: 'callState', ...callStateView(after) });
    }
    await syncInteraction(after);
    await events.publish([
      callEvent(after, 'call.ended', callId, after.endedAt ?? now.toISOString(), {
        status: after.status,
        reason: after.endReason,
        endedBy: after.endedBy,
      }),
    ]);
    return { call: after, changed: endedNow };
  };
}
