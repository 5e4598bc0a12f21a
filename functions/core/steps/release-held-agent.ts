import { releaseFromOffer } from '../agent.ts';
import { offerIdFor } from '../call.ts';
import type { Deps } from '../deps.ts';
import type { Call } from '../model.ts';
import type { WakeWaitingCall } from './wake-waiting-call.ts';

export type ReleaseHeldAgent = ReturnType<typeof makeReleaseHeldAgent>;

/**
 * A woken call will never be offered (it ended, or overflowed) while an agent is held for its next offer
 * (`heldAgentId`): the agent is free again at once, not after the sweep's grace, and goes to the next
 * waiting call. Idempotent: an agent no longer held for that offer is left as it is.
 */
export function makeReleaseHeldAgent({
  agents,
  clock,
  settings,
  wakeWaitingCall,
}: Pick<Deps, 'agents' | 'clock' | 'settings'> & { wakeWaitingCall: WakeWaitingCall }) {
  return async function releaseHeldAgent(call: Call, reason: string): Promise<void> {
    if (!call.heldAgentId) return;
    const heldFor = offerIdFor(call.callId, call.offers.length + 1);
    const released = await agents.update(call.heldAgentId, (a) =>
      releaseFromOffer(a, heldFor, 'revoked', clock.now(), settings, reason),
    );
    if (released.changed) await wakeWaitingCall(released.after);
  };
}
