import middy, { type MiddlewareObj } from '@middy/core';
import type { z } from 'zod';
import type { ServerMessage } from '../../core/messages.ts';
import { ports } from './container.ts';
import { mapError, RequestError } from './errors.ts';
import { logger } from './logger.ts';
import { parseJson } from './validation.ts';

/** The API Gateway WebSocket event fields we use; the authorizer's context carries the agent id. */
export interface WsEvent {
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext: {
    connectionId: string;
    routeKey: string;
    requestId?: string;
    authorizer?: { agentId?: string; principalId?: string } | null;
  };
}

export interface WsResult {
  statusCode: number;
  body?: string;
}

export const MAX_MESSAGE_BYTES = 32 * 1024;

export interface WsContext {
  agentId: string;
  connectionId: string;
  requestId?: string | number;
}

function requestIdOf(body: string | null | undefined): string | number | undefined {
  try {
    const id = (JSON.parse(body ?? '') as { requestId?: unknown }).requestId;
    return typeof id === 'string' || typeof id === 'number' ? id : undefined;
  } catch {
    return undefined;
  }
}

export function agentIdOf(event: WsEvent): string {
  const agentId = event.requestContext.authorizer?.agentId ?? event.requestContext.authorizer?.principalId;
  if (!agentId) throw new RequestError(401, 'UNAUTHORIZED', 'no authenticated agent on this connection');
  return agentId;
}

async function reply(connectionId: string, message: ServerMessage): Promise<void> {
  await ports().pusher.push([connectionId], message);
}

/** Errors go back to the socket that sent the message as `error` with a code; the socket stays open. */
function wsErrors(): MiddlewareObj<WsEvent, WsResult> {
  return {
    onError: async (request) => {
      const mapped = mapError(request.error);
      const { connectionId, requestId: gatewayRequestId } = request.event.requestContext;
      const requestId = requestIdOf(request.event.body);
      if (mapped.unexpected)
        logger.error('socket action failed', {
          connectionId,
          gatewayRequestId,
          error: request.error as Error,
        });
      const message = mapped.unexpected
        ? `${mapped.message} (${gatewayRequestId ?? 'no id'})`
        : mapped.message;
      await reply(connectionId, {
        type: 'error',
        ...(requestId !== undefined ? { requestId: String(requestId) } : {}),
        code: mapped.code,
        message,
      });
      request.response = { statusCode: 200 };
    },
  };
}

/**
 * The shape of every agent action: size limit, JSON, schema, the authenticated agent, then the use case.
 * The answer (or an `ack`) goes back to the sending socket.
 */
export function wsAction<S extends z.ZodType>(
  action: string,
  schema: S,
  fn: (ctx: WsContext, message: z.infer<S>) => Promise<ServerMessage | undefined>,
) {
  return middy<WsEvent, WsResult>()
    .use(wsErrors())
    .handler(async (event) => {
      const body = event.body ?? '';
      if (Buffer.byteLength(body) > MAX_MESSAGE_BYTES) {
        throw new RequestError(
          413,
          'MESSAGE_TOO_LARGE',
          `messages are limited to ${MAX_MESSAGE_BYTES} bytes`,
        );
      }
      const message = parseJson(schema, body);
      const requestId = requestIdOf(body);
      const ctx: WsContext = {
        agentId: agentIdOf(event),
        connectionId: event.requestContext.connectionId,
        ...(requestId !== undefined ? { requestId } : {}),
      };
      const answer = await fn(ctx, message);
      // The answer (or a plain ack) carries the request id, so the client can match it to its request.
      const tag = requestId !== undefined ? { requestId: String(requestId) } : {};
      await reply(ctx.connectionId, { ...(answer ?? { type: 'ack', action }), ...tag } as ServerMessage);
      return { statusCode: 200 };
    });
}
