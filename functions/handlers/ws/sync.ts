import { actionMessage } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { wsAction } from '../shared/ws.ts';

export const message = actionMessage('sync', {});

/** sync: answers with a `snapshot` (status, live call, pending offer with time left). */
export const handler = wsAction(message, async ({ agentId }) => app().agentSnapshot(agentId));
