import { releaseFromOffer } from '../agent.ts';
import { isTerminal, overflowCall, pendingOffer } from '../call.ts';
import type { Deps } from '../deps.ts';
import { callEvent } from '../events.ts';
import type { ReleaseHeldAgent } from '../steps/release-held-agent.ts';
import type { OverflowReason } from '../vocabulary.ts';
import { callbackWorkItem } from '../work-item.ts';

/** Why the workflow gave up routing, from the error that took it to Overflow. */
export function overflowReason(error: { Error?: string } | undefined): OverflowReason {
  switch (error?.Error) {
    case 'States.Timeout':
    case 'QueueTimeExceeded':
      return 'max_queue_time';
    case 'InteractionUnavailable':
      return 'interaction_unavailable';
    default:
      return 'routing_error';
  }
}

/**
 * The Overflow workflow task: the call leaves the queue unanswered.
 * Main course: the call ends `overflowed` with its reason, a callback work item is created (one per call,
 * however often this runs), and the CCaaS hears `call.overflowed` (it may send the caller to voicemail).
 * A call that ended meanwhile stays as it is.
 */
export function makeOverflowCall(
  deps: Pick<Deps, 'calls' | 'agents' | 'workItems' | 'events' | 'clock' | 'settings'> & {
    releaseHeldAgent: ReleaseHeldAgent;
  },
) {
  const { calls, agents, workItems, events, clock, settings, releaseHeldAgent } = deps;
  return async function overflow(callId: string, error?: { Error?: string }, route = 0): Promise<void> {
    const reason = overflowReason(error);
    const current = await calls.get(callId);
    // A newer routing round owns the call: this execution's failure is not the call's.
    if (!current || current.route !== route) return;
    let call = current;
    if (!isTerminal(current.status)) {
      ({ after: call } = await calls.update(callId, (c) =>
        isTerminal(c.status) ? c : overflowCall(c, reason, clock.now()),
      ));
      const revoked = pendingOffer(current);
      if (revoked) {
        await agents.update(revoked.agentId, (a) =>
          releaseFromOffer(a, revoked.offerId, 'revoked', clock.now(), settings, 'overflowed'),
        );
      }
    }
    // Woken just as its queue time ran out, with an agent held for it: that agent goes to the next call.
    if (call.status === 'overflowed') await releaseHeldAgent(call, 'overflowed');
    if (call.status !== 'overflowed') return;
    const at = call.endedAt ?? clock.now().toISOString();
    const overflowed = { ...call, endReason: call.endReason ?? reason };
    await workItems.create(callbackWorkItem(overflowed, at));
    await events.publish([callEvent(call, 'call.overflowed', callId, at, { reason: overflowed.endReason })]);
  };
}
