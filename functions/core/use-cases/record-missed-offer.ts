import { isRoutedBy, lastOffer } from '../call.ts';
import type { Deps } from '../deps.ts';
import { OfferClosedError, WorkflowErrors, WorkflowSignal } from '../errors.ts';
import { callEvent, type DomainEvent, type MissedOfferDetail } from '../events.ts';
import type { Call, Offer } from '../model.ts';
import type { AgentMessenger } from '../steps/agent-messenger.ts';
import type { CloseOffer } from '../steps/close-offer.ts';

export type MissedOutcome = 'missed' | 'accepted' | 'ended' | 'requeued';

/**
 * How long after the `expiresAt` an agent was shown its offer still stands. The workflow's timer starts
 * when the offer task starts, a little before the offer is written and its `expiresAt` computed, so it fires
 * early; and an accept that reached us just before `expiresAt` must still be able to win its write.
 */
export const ACCEPT_GRACE_MS = 500;
/**
 * The longest this task waits for an offer's `expiresAt` itself: a Lambda runs for at most 10 s. A timer
 * that fired earlier still (an offer task that took seconds to write its offer) fails the task as
 * retryable, and the workflow's retry takes up the wait.
 */
export const MAX_WAIT_IN_TASK_MS = 7_000;

/**
 * The RecordMissedOffer workflow task, run when OfferToAgent timed out.
 * Main course: once the offer's `expiresAt` (and ACCEPT_GRACE_MS) has passed, the pending offer ends
 * `missed` (conditional write), the agent gets MISSED_OFFER_STATUS,
 * `call.offer_missed` is published (the CCaaS hears of it, and its rule creates the missed offer's
 * interaction and work item: create-missed-offer-work-item) and the agent's card is revoked. Races: if an
 * accept or reject won the write just before the timeout, that outcome stands and is returned, so the
 * workflow connects (accepted) or re-offers (anything else). Retries: when a first attempt failed after its
 * write, the next one finds the offer missed (or accepted) and publishes again — the events have stable
 * ids, so consumers see each fact once.
 */
export function makeRecordMissedOffer(
  deps: Pick<Deps, 'calls' | 'events' | 'clock'> & { send: AgentMessenger; closeOffer: CloseOffer },
) {
  const { calls, events, clock, send, closeOffer } = deps;

  async function announceMissed(call: Call, offer: Offer): Promise<void> {
    const at = offer.closedAt ?? clock.now().toISOString();
    const missed: MissedOfferDetail = {
      callId: call.callId,
      offerId: offer.offerId,
      agentId: offer.agentId,
      at,
    };
    await events.publish([callEvent(call, 'call.offer_missed', offer.offerId, at, { ...missed })]);
    await send(offer.agentId, {
      type: 'offerRevoked',
      offerId: offer.offerId,
      callId: call.callId,
      reason: 'timeout',
    });
  }

  function acceptedEvent(call: Call, offer: Offer): DomainEvent {
    const at = call.connectedAt ?? call.updatedAt;
    return callEvent(call, 'call.accepted', offer.offerId, at, {
      offerId: offer.offerId,
      agentId: offer.agentId,
    });
  }

  return async function recordMissedOffer(
    callId: string,
    route = 0,
  ): Promise<{ outcome: MissedOutcome; offerId?: string }> {
    const call = await calls.get(callId);
    if (!isRoutedBy(call, route)) return { outcome: 'ended' };
    const offer = lastOffer(call);
    if (call.status === 'connected') {
      // The accept won; make sure the CCaaS heard it even if the accept failed after its write.
      if (offer?.status === 'accepted') await events.publish([acceptedEvent(call, offer)]);
      return { outcome: 'accepted' };
    }
    if (offer?.status === 'missed' && offer.reason === 'timeout') {
      await announceMissed(call, offer);
      return { outcome: 'missed', offerId: offer.offerId };
    }
    if (offer?.status !== 'pending') return { outcome: 'requeued' };
    const early = Date.parse(offer.expiresAt) + ACCEPT_GRACE_MS - clock.now().getTime();
    if (early > MAX_WAIT_IN_TASK_MS) {
      await clock.sleep(MAX_WAIT_IN_TASK_MS);
      throw new WorkflowSignal(
        WorkflowErrors.RetryableTaskError,
        `offer ${offer.offerId} stands until ${offer.expiresAt}; a retry waits for the rest`,
      );
    }
    if (early > 0) await clock.sleep(early);
    try {
      const { call: after } = await closeOffer(callId, offer.offerId, 'missed', 'timeout');
      const closed = after.offers.find((o) => o.offerId === offer.offerId) ?? offer;
      await announceMissed(after, closed);
      return { outcome: 'missed', offerId: offer.offerId };
    } catch (err) {
      if (err instanceof OfferClosedError) return recordMissedOffer(callId, route);
      throw err;
    }
  };
}
