import { actionMessage, Id } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { wsAction } from '../shared/ws.ts';

export const message = actionMessage('accept', { offerId: Id });

/** accept: the agent takes its offer; the call is bridged without waiting for the interaction. */
export const handler = wsAction(message, async ({ agentId }, { offerId }) => {
  await app().acceptOffer(agentId, offerId);
  return undefined;
});
