import { callIdOfOffer } from '../call.ts';
import type { Deps } from '../deps.ts';
import { ForbiddenError, NotFoundError, OfferClosedError } from '../errors.ts';
import type { Call, Offer } from '../model.ts';

/** Finds an offer for an agent acting on it: unknown → NOT_FOUND, someone else's → FORBIDDEN, closed → OFFER_CLOSED. */
export function makeFindOwnOffer({ calls }: Pick<Deps, 'calls'>) {
  return async function findOwnOffer(
    agentId: string,
    offerId: string,
  ): Promise<{ call: Call; offer: Offer }> {
    const callId = callIdOfOffer(offerId);
    const call = callId ? await calls.get(callId) : undefined;
    const offer = call?.offers.find((o) => o.offerId === offerId);
    if (!call || !offer) throw new NotFoundError(`offer ${offerId} not found`);
    if (offer.agentId !== agentId) throw new ForbiddenError(`offer ${offerId} is not yours`);
    if (offer.status !== 'pending') throw new OfferClosedError(`offer ${offerId} is already ${offer.status}`);
    return { call, offer };
  };
}
