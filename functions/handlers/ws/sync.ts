import { actionMessage } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { wsAction } from '../shared/ws.ts';

export const SyncMessage = actionMessage('sync', {});

/** sync: answers with a `snapshot` (status, live call, pending offer with time left). */
export const handler = wsAction('sync', SyncMessage, async ({ agentId }) => app().agentSnapshot(agentId));
