import * as z from 'zod/mini';
import { actionMessage, Id } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { wsAction } from '../shared/ws.ts';

export const message = actionMessage('wrapUp', {
  callId: Id,
  disposition: z.string().check(z.minLength(1), z.maxLength(256)),
});

/** wrapUp: records the disposition and makes the agent available (WRAP_UP_SECONDS does it otherwise). */
export const handler = wsAction(message, async ({ agentId }, { callId, disposition }) => {
  await app().agentCall.wrapUp(agentId, callId, disposition);
  return undefined;
});
