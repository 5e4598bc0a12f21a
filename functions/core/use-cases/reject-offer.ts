import type { Deps } from '../deps.ts';
import { WorkflowErrors } from '../errors.ts';
import { callEvent } from '../events.ts';
import type { CloseOffer } from '../steps/close-offer.ts';
import { makeFindOwnOffer } from '../steps/find-own-offer.ts';

/**
 * An agent rejects its offer.
 * Main course: the offer ends `rejected` (conditional write), the agent is excluded from this call for
 * good and is available again (at the back of the idle order), the CCaaS hears `call.offer_rejected`,
 * and the workflow offers the call to the next agent. Failure paths as for accept.
 */
export function makeRejectOffer(
  deps: Pick<Deps, 'calls' | 'callbacks' | 'events'> & { closeOffer: CloseOffer },
) {
  const findOwnOffer = makeFindOwnOffer(deps);
  const { callbacks, events, closeOffer } = deps;
  return async function rejectOffer(agentId: string, offerId: string, reason?: string): Promise<void> {
    const { call: found } = await findOwnOffer(agentId, offerId);
    const { call, offer } = await closeOffer(found.callId, offerId, 'rejected', reason);
    await events.publish([
      callEvent(call, 'call.offer_rejected', offerId, call.updatedAt, {
        offerId,
        agentId,
        ...(reason ? { reason } : {}),
      }),
    ]);
    if (offer.taskToken)
      await callbacks.fail(offer.taskToken, WorkflowErrors.OfferRejected, `rejected by ${agentId}`);
  };
}
