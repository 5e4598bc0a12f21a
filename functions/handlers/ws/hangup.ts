import { actionMessage, Id } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { wsAction } from '../shared/ws.ts';

export const message = actionMessage('hangup', { callId: Id });

/** hangup: works without an interaction; the call ends completed and the agent moves to wrap-up. */
export const handler = wsAction(message, async ({ agentId }, { callId }) => {
  await app().agentCall.hangUp(agentId, callId);
  return undefined;
});
