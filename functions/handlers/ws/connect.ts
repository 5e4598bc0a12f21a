import { app } from '../shared/container.ts';
import { logger } from '../shared/logger.ts';
import { wsConnection } from '../shared/ws.ts';

/**
 * $connect: remembers the socket on the agent, until its token expires. Nothing can be pushed before this
 * returns (API Gateway opens the socket afterwards), so the client asks for its `snapshot` with `sync` once
 * open. An agent that is not registered is refused with 403.
 */
export const handler = wsConnection(async ({ agentId, connectionId, tokenExpiresAt }) => {
  await app().connectAgent(agentId, connectionId, tokenExpiresAt);
  logger.info('agent connected');
});
