import * as z from 'zod/mini';
import { actionMessage, Id, QueueName } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { wsAction } from '../shared/ws.ts';

export const message = actionMessage('transfer', {
  callId: Id,
  queue: z.optional(QueueName),
  agentId: z.optional(Id),
}).check(
  z.refine((m) => Boolean(m.queue) !== Boolean(m.agentId), {
    message: 'give exactly one of queue or agentId',
  }),
);

/** transfer: to a queue or an agent; refused with INTERACTION_REQUIRED when the call has no interaction. */
export const handler = wsAction(message, async ({ agentId }, { callId, queue, agentId: to }) => {
  await app().agentCall.transfer(agentId, callId, to ? { agentId: to } : { queue: queue as string });
  return undefined;
});
