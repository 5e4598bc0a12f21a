import * as z from 'zod/mini';
import { actionMessage, Id } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { wsAction } from '../shared/ws.ts';

export const message = actionMessage('reject', {
  offerId: Id,
  reason: z.optional(z.string().check(z.maxLength(256))),
});

/** reject: the call goes to the next agent, never back to this one. */
export const handler = wsAction(message, async ({ agentId }, { offerId, reason }) => {
  await app().rejectOffer(agentId, offerId, reason);
  return undefined;
});
