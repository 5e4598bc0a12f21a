import { app } from '../shared/container.ts';
import { logger } from '../shared/logger.ts';
import { wsConnection } from '../shared/ws.ts';

/** $disconnect: forgets the socket; the agent's last socket closing revokes its pending offer at once. */
export const handler = wsConnection(async ({ agentId, connectionId }) => {
  await app().disconnectAgent(agentId, connectionId);
  logger.info('agent disconnected');
});
