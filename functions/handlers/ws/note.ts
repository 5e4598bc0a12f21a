import * as z from 'zod/mini';
import { actionMessage, Id } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { wsAction } from '../shared/ws.ts';

export const message = actionMessage('note', {
  callId: Id,
  text: z.string().check(z.minLength(1), z.maxLength(8_000)),
});

/** note: appended to the call's conversation, which its interaction shows (now, or once it exists). */
export const handler = wsAction(message, async ({ agentId }, { callId, text }) => {
  await app().agentCall.note(agentId, callId, text);
  return undefined;
});
