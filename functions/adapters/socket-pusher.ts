import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { Logger, SocketPusher } from '../core/ports.ts';

/**
 * Pushes to agent sockets through the API Gateway Management API (`@connections`). A 410 Gone means the
 * socket closed without us hearing `$disconnect`: reported back so the connection is forgotten.
 */
export function makeSocketPusher(endpoint: () => string, logger: Logger): SocketPusher {
  let client: ApiGatewayManagementApiClient | undefined;
  return {
    async push(connectionIds, message) {
      const data = new TextEncoder().encode(JSON.stringify(message));
      const results = await Promise.all(
        connectionIds.map(async (ConnectionId) => {
          try {
            client ??= new ApiGatewayManagementApiClient({ endpoint: endpoint() });
            await client.send(new PostToConnectionCommand({ ConnectionId, Data: data }));
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
  };
}
