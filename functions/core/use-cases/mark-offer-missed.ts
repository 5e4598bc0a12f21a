import { isTerminal, lastOffer } from '../call.ts';
import { OfferClosedError } from '../errors.ts';
import type { OfferMissedDetail } from '../events.ts';
import type { AgentMessenger } from './agent-messenger.ts';
import type { CloseOffer } from './close-offer.ts';
import type { Deps } from './deps.ts';

export type MissedOutcome = 'missed' | 'accepted' | 'ended' | 'requeued';

/**
 * The MarkOfferMissed workflow task, run when OfferToAgent timed out.
 * Main course: the pending offer ends `missed` (conditional write), the agent becomes not_responding,
 * `OfferMissed` is published (its rule creates the interaction and the work item) and the agent's card is
 * revoked. Race: if an accept or reject won the write just before the timeout, that outcome stands and is
 * returned, so the workflow connects (accepted) or re-offers (anything else) instead.
 */
export function makeMarkOfferMissed(
  deps: Pick<Deps, 'calls' | 'events' | 'clock'> & { send: AgentMessenger; closeOffer: CloseOffer },
) {
  const { calls, events, clock, send, closeOffer } = deps;
  return async function markOfferMissed(
    callId: string,
  ): Promise<{ outcome: MissedOutcome; offerId?: string }> {
    const call = await calls.get(callId);
    if (!call || isTerminal(call.status)) return { outcome: 'ended' };
    if (call.status === 'connected') return { outcome: 'accepted' };
    const offer = lastOffer(call);
    if (offer?.status !== 'pending') return { outcome: 'requeued' };
    try {
      await closeOffer(callId, offer.offerId, 'missed', 'timeout');
    } catch (err) {
      if (err instanceof OfferClosedError) return markOfferMissed(callId);
      throw err;
    }
    const at = clock.now().toISOString();
    const detail: OfferMissedDetail = { callId, offerId: offer.offerId, agentId: offer.agentId, at };
    await events.publish([
      { type: 'OfferMissed', id: `OfferMissed:${offer.offerId}`, at, callId, detail: { ...detail } },
      {
        type: 'call.offer_missed',
        id: `call.offer_missed:${offer.offerId}`,
        at,
        callId,
        detail: { ...detail },
      },
    ]);
    await send(offer.agentId, { type: 'offerRevoked', offerId: offer.offerId, callId, reason: 'timeout' });
    return { outcome: 'missed', offerId: offer.offerId };
  };
}
