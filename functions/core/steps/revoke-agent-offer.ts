import type { Deps } from '../deps.ts';
import { OfferClosedError, WorkflowErrors } from '../errors.ts';
import type { Agent } from '../model.ts';
import type { RevokeReason } from '../vocabulary.ts';
import type { AgentMessenger } from './agent-messenger.ts';
import type { CloseOffer } from './close-offer.ts';

/**
 * Takes back the offer an agent is reserved for (the agent went away or became unreachable): the offer
 * ends `revoked`, the agent's card disappears, and the workflow offers the call to the next agent at once
 * instead of waiting for the offer timeout. Losing the race to an accept or a timeout changes nothing.
 */
export function makeRevokeAgentOffer(
  deps: Pick<Deps, 'callbacks'> & { send: AgentMessenger; closeOffer: CloseOffer },
) {
  const { callbacks, send, closeOffer } = deps;
  return async function revokeAgentOffer(agent: Agent, reason: RevokeReason): Promise<boolean> {
    if (!agent.offer) return false;
    const { callId, offerId } = agent.offer;
    try {
      const { offer } = await closeOffer(callId, offerId, 'revoked', reason);
      await send(agent, { type: 'offerRevoked', offerId, callId, reason });
      if (offer.taskToken) await callbacks.fail(offer.taskToken, WorkflowErrors.OfferRevoked, reason);
      return true;
    } catch (err) {
      if (err instanceof OfferClosedError) return false;
      throw err;
    }
  };
}

export type RevokeAgentOffer = ReturnType<typeof makeRevokeAgentOffer>;
