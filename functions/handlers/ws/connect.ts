import middy from '@middy/core';
import { app } from '../shared/container.ts';
import { mapError } from '../shared/errors.ts';
import { logger } from '../shared/logger.ts';
import { agentIdOf, type WsEvent, type WsResult } from '../shared/ws.ts';

/**
 * $connect: remembers the socket on the agent. Nothing can be pushed before this returns (API Gateway
 * opens the socket afterwards), so the client asks for its `snapshot` with `sync` once open.
 * An agent that is not registered is refused with 403.
 */
export const handler = middy<WsEvent, WsResult>().handler(async (event) => {
  try {
    const agentId = agentIdOf(event);
    await app().connectAgent(agentId, event.requestContext.connectionId);
    logger.info('agent connected', { agentId, connectionId: event.requestContext.connectionId });
    return { statusCode: 200 };
  } catch (err) {
    const mapped = mapError(err);
    if (mapped.unexpected) logger.error('connect failed', { error: err as Error });
    return { statusCode: mapped.status, body: mapped.code };
  }
});
