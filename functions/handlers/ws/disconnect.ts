import middy from '@middy/core';
import { app } from '../shared/container.ts';
import { logger } from '../shared/logger.ts';
import { agentIdOf, type WsEvent, type WsResult } from '../shared/ws.ts';

/** $disconnect: forgets the socket; the agent's last socket closing revokes its pending offer at once. */
export const handler = middy<WsEvent, WsResult>().handler(async (event) => {
  const agentId = agentIdOf(event);
  await app().disconnectAgent(agentId, event.requestContext.connectionId);
  logger.info('agent disconnected', { agentId, connectionId: event.requestContext.connectionId });
  return { statusCode: 200 };
});
