import {
  type ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { Logger, SocketPusher } from '../core/ports.ts';

/**
 * Pushes to agent sockets through the API Gateway Management API (`@connections`). A 410 Gone means the
 * socket closed without us hearing `$disconnect`: reported back so the connection is forgotten. The client
 * is asked for at the first push: it needs the stage's endpoint, which only functions that push have.
 */
export function makeSocketPusher(client: () => ApiGatewayManagementApiClient, logger: Logger): SocketPusher {
  return {
    async push(connectionIds, message) {
      const data = new TextEncoder().encode(JSON.stringify(message));
      const results = await Promise.all(
        connectionIds.map(async (ConnectionId) => {
          try {
            await client().send(new PostToConnectionCommand({ ConnectionId, Data: data }));
            return undefined;
          } catch (err) {
            if (err instanceof GoneException) return ConnectionId;
            logger.warn('push failed', {
              connectionId: ConnectionId,
              type: message.type,
              error: String(err),
            });
            return undefined;
          }
        }),
      );
      return { gone: results.filter((id): id is string => id !== undefined) };
    },
    async isConnected(connectionId) {
      try {
        await client().send(new GetConnectionCommand({ ConnectionId: connectionId }));
        return true;
      } catch (err) {
        if (err instanceof GoneException) return false;
        // Not known to be gone: leave it (a throttled or failed check must not drop a live agent).
        logger.warn('socket check failed', { connectionId, error: String(err) });
        return true;
      }
    },
    async close(connectionId) {
      try {
        await client().send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      } catch (err) {
        if (!(err instanceof GoneException)) throw err;
      }
    },
  };
}
