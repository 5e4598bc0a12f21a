import { releaseFromOffer } from '../agent.ts';
import { closeOffer } from '../call.ts';
import type { Deps } from '../deps.ts';
import { NotFoundError } from '../errors.ts';
import { callEvent, type DomainEvent } from '../events.ts';
import type { Agent, Call, Offer, OfferOutcome } from '../model.ts';
import type { WakeWaitingCall } from './wake-waiting-call.ts';

export interface ClosedOffer {
  call: Call;
  /** The offer as it was while pending, with its task token. */
  offer: Offer;
  /** The offer's agent after its release (absent when it had already moved on). */
  agent?: Agent;
}

/**
 * Gives a pending offer its one outcome (a conditional write on the call: the loser of a race gets
 * OfferClosedError), then frees the agent accordingly. If we crash between the two writes, the sweeper
 * frees the agent. A revoked offer is announced to the CCaaS here, whatever revoked it. Given the call in
 * hand (`known`), it is not read again.
 */
export function makeCloseOffer({
  calls,
  agents,
  events,
  clock,
  settings,
  wakeWaitingCall,
}: Pick<Deps, 'calls' | 'agents' | 'events' | 'clock' | 'settings'> & { wakeWaitingCall: WakeWaitingCall }) {
  return async function close(
    callId: string,
    offerId: string,
    outcome: OfferOutcome,
    reason?: string,
    known?: Call,
  ): Promise<ClosedOffer> {
    const now = clock.now();
    const { before, after } = await calls.update(
      callId,
      (c) => closeOffer(c, offerId, outcome, now, reason),
      known,
    );
    const offer = before.offers.find((o) => o.offerId === offerId);
    if (!offer) throw new NotFoundError(`offer ${offerId} not found`);
    const released = await agents.update(offer.agentId, (a) =>
      releaseFromOffer(a, offerId, outcome, now, settings, reason),
    );
    if (released.changed) await wakeWaitingCall(released.after);
    if (outcome === 'revoked') await events.publish([offerRevokedEvent(after, offer, reason ?? 'revoked')]);
    return { call: after, offer, ...(released.changed ? { agent: released.after } : {}) };
  };
}

export type CloseOffer = ReturnType<typeof makeCloseOffer>;

export function offerRevokedEvent(call: Call, offer: Offer, reason: string): DomainEvent {
  return callEvent(call, 'call.offer_revoked', offer.offerId, call.updatedAt, {
    offerId: offer.offerId,
    agentId: offer.agentId,
    reason,
  });
}
