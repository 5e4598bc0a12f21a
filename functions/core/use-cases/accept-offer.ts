import type { Deps } from '../deps.ts';
import { callEvent } from '../events.ts';
import { callStateView } from '../messages.ts';
import type { AgentMessenger } from '../steps/agent-messenger.ts';
import type { CloseOffer } from '../steps/close-offer.ts';
import { makeFindOwnOffer } from '../steps/find-own-offer.ts';

export type AcceptOffer = ReturnType<typeof makeAcceptOffer>;

/**
 * An agent accepts its offer (or auto-accept does it for them).
 * Main course: the offer ends `accepted` by a conditional write, the agent goes on_call, the CCaaS is
 * told to bridge (`call.accepted`), the agent gets `callState`, and the workflow goes on to create the
 * interaction. Nothing here waits on the interaction. Failure paths: not the agent's offer → FORBIDDEN;
 * already closed (a timeout or hang-up won the race) → OFFER_CLOSED and nothing changes. If the workflow
 * task timed out just before our token reached it, MarkOfferMissed finds the offer accepted and goes on.
 */
export function makeAcceptOffer(
  deps: Pick<Deps, 'calls' | 'callbacks' | 'events' | 'logger'> & {
    send: AgentMessenger;
    closeOffer: CloseOffer;
  },
) {
  const findOwnOffer = makeFindOwnOffer(deps);
  const { callbacks, events, logger, send, closeOffer } = deps;
  return async function acceptOffer(agentId: string, offerId: string): Promise<void> {
    const { call: found } = await findOwnOffer(agentId, offerId);
    const { call, offer, agent } = await closeOffer(found.callId, offerId, 'accepted', undefined, found);
    await events.publish([
      callEvent(call, 'call.accepted', offerId, call.connectedAt ?? call.updatedAt, { offerId, agentId }),
    ]);
    await send(agent ?? agentId, { type: 'callState', ...callStateView(call) });
    if (
      offer.taskToken &&
      !(await callbacks.succeed(offer.taskToken, { outcome: 'accepted', offerId, agentId }))
    ) {
      logger.info('accept reached the workflow after its offer timed out; MarkOfferMissed carries on', {
        callId: call.callId,
        offerId,
      });
    }
  };
}
