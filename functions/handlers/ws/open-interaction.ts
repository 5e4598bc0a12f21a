import { actionMessage, Id } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { wsAction } from '../shared/ws.ts';

export const message = actionMessage('openInteraction', { callId: Id });

/** openInteraction: answers interactionCreated (the same one if it exists) or interactionPending. */
export const handler = wsAction(message, ({ agentId }, { callId }) =>
  app().agentCall.openInteraction(agentId, callId),
);
