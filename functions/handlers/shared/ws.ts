import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import type * as z from 'zod/mini';
import type { ActionAnswer, ServerMessage } from '../../core/messages.ts';
import type { VerifiedToken } from '../../core/ports.ts';
import type { AgentAction } from '../../core/vocabulary.ts';
import { ports } from './container.ts';
import { mapError, RequestError } from './errors.ts';
import { lambdaHandler } from './lambda.ts';
import { appendLogKeys, logger } from './logger.ts';
import { parseJsonText, validate } from './validation.ts';

/**
 * The API Gateway WebSocket event fields we use; the authorizer's context carries the agent id. Once the
 * socket-message shapes have parsed it, `body` holds the JSON value and `rawBody` the text.
 */
export interface WsEvent {
  body?: unknown;
  rawBody?: string;
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

/** API Gateway's frame limit, which is also ours for a whole message. */
const MAX_ACTION_BYTES = 32 * 1024;

export interface WsContext {
  agentId: string;
  connectionId: string;
  requestId?: string | number;
}

/** A client → server message: `{action, requestId?, ...fields}` (handlers/schemas.ts `actionMessage`). */
type ActionMessage = z.ZodMiniObject<{ action: z.ZodMiniLiteral<AgentAction> } & z.core.$ZodShape>;

/** What an action's function gives back: the message its answer must be, or nothing for an `ack`. */
type ActionResult<S extends ActionMessage> =
  S['shape']['action'] extends z.ZodMiniLiteral<infer A extends AgentAction>
    ? ActionAnswer<A> | undefined
    : never;

function agentIdOf(event: WsEvent): string {
  const agentId = event.requestContext.authorizer?.agentId ?? event.requestContext.authorizer?.principalId;
  if (!agentId) throw new RequestError(401, 'UNAUTHORIZED', 'no authenticated agent on this connection');
  return agentId;
}

function requestIdOf(body: unknown): string | number | undefined {
  const id = body && typeof body === 'object' ? (body as { requestId?: unknown }).requestId : undefined;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

async function reply(connectionId: string, message: ServerMessage): Promise<void> {
  await ports().pusher.push([connectionId], message);
}

/** The agent and the socket of every socket event go into the logs first, whatever happens next. */
function socketLogKeys(): MiddlewareObj<WsEvent, WsResult> {
  return {
    before: async ({ event }) => {
      const { authorizer, connectionId } = event.requestContext;
      appendLogKeys({ agentId: authorizer?.agentId ?? authorizer?.principalId, connectionId });
    },
  };
}

/**
 * The message parsed once, before anything reads it; then its size checked (413 MESSAGE_TOO_LARGE) and its
 * syntax (400 BAD_JSON). Parsing comes first so that even a refusal can echo the message's `requestId`.
 */
function socketJsonBody(): MiddlewareObj<WsEvent, WsResult> {
  return {
    before: async ({ event }) => {
      const raw = typeof event.body === 'string' ? event.body : '';
      const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
      event.rawBody = text;
      let notJson: unknown;
      try {
        event.body = parseJsonText(text);
      } catch (err) {
        event.body = undefined;
        notJson = err;
      }
      if (Buffer.byteLength(text) > MAX_ACTION_BYTES) {
        throw new RequestError(413, 'MESSAGE_TOO_LARGE', `messages are limited to ${MAX_ACTION_BYTES} bytes`);
      }
      if (notJson) throw notJson;
    },
  };
}

/** Errors go back to the socket that sent the message as `error` with a code; the socket stays open. */
function socketErrors(): MiddlewareObj<WsEvent, WsResult> {
  return {
    onError: async (request) => {
      const mapped = mapError(request.error);
      const { connectionId, requestId: gatewayRequestId } = request.event.requestContext;
      const requestId = requestIdOf(request.event.body);
      if (mapped.unexpected) {
        logger.error('socket action failed', { gatewayRequestId, error: request.error as Error });
      }
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
 * The shape of every socket message: the agent in the logs, the message parsed once, `fn`'s answer sent
 * back to the sending socket with the message's `requestId`, and any error sent back as `error`.
 */
export function wsMessage(fn: (ctx: WsContext, body: unknown) => Promise<ServerMessage>) {
  return lambdaHandler<WsEvent, WsResult>()
    .use(socketLogKeys())
    .use(socketJsonBody())
    .use(socketErrors())
    .handler(async (event) => {
      const requestId = requestIdOf(event.body);
      const ctx: WsContext = {
        agentId: agentIdOf(event),
        connectionId: event.requestContext.connectionId,
        ...(requestId !== undefined ? { requestId } : {}),
      };
      const answer = await fn(ctx, event.body);
      // The answer carries the request id, so the client can match it to its request.
      const tag = requestId !== undefined ? { requestId: String(requestId) } : {};
      await reply(ctx.connectionId, { ...answer, ...tag });
      return { statusCode: 200 };
    });
}

/**
 * The shape of an agent action: a socket message validated against the action's schema (which names the
 * action), its ids in the logs, then the use case. The answer is what `fn` returns, or an `ack`.
 */
export function wsAction<S extends ActionMessage>(
  message: S,
  fn: (ctx: WsContext, message: z.infer<S>) => Promise<ActionResult<S>>,
) {
  const [action] = message.shape.action.def.values;
  if (action === undefined) throw new Error('an action message names its action');
  return wsMessage(async (ctx, body) => {
    const parsed = validate(message, body);
    // The call and offer acted on; a message's own agentId (a transfer's target) is not who acts.
    appendLogKeys({ callId: parsed.callId, offerId: parsed.offerId });
    return (await fn(ctx, parsed)) ?? { type: 'ack', action };
  });
}

/**
 * The shape of `$connect` and `$disconnect`: no body, nothing to answer on the socket. A refusal (an
 * unknown agent) becomes the status API Gateway answers the upgrade with; an unexpected error fails the
 * invocation, as it should be seen.
 */
/** A socket's `$connect` or `$disconnect`: who, which socket, and until when its token holds. */
export interface WsConnectionContext extends Omit<WsContext, 'requestId'> {
  tokenExpiresAt?: string;
}

export function wsConnection(fn: (ctx: WsConnectionContext) => Promise<void>) {
  return lambdaHandler<WsEvent, WsResult>()
    .use(socketLogKeys())
    .use({
      onError: async (request) => {
        const mapped = mapError(request.error);
        if (mapped.unexpected) {
          logger.error('socket event failed', {
            routeKey: request.event.requestContext.routeKey,
            error: request.error as Error,
          });
          return;
        }
        logger.info('socket event refused', { status: mapped.status, code: mapped.code });
        request.response = { statusCode: mapped.status, body: mapped.code };
      },
    })
    .handler(async (event) => {
      const expiresAt = event.requestContext.authorizer?.tokenExpiresAt;
      await fn({
        agentId: agentIdOf(event),
        connectionId: event.requestContext.connectionId,
        ...(typeof expiresAt === 'string' && expiresAt ? { tokenExpiresAt: expiresAt } : {}),
      });
      return { statusCode: 200 };
    });
}

/**
 * The shape of the `$connect` authorizer: the agent's JWT comes as `?token=` (browsers cannot set headers
 * on a WebSocket), and a valid token's `sub` becomes the agent id every later message is attributed to.
 * Any failure is answered "Unauthorized", which API Gateway turns into a 401; the reason is only logged.
 * Only the `agents` group may open a socket: anyone else's valid token gets a Deny policy (a 403).
 * When the token expires goes with it (`tokenExpiresAt`): the socket is closed then.
 */
export function wsAuthorizer(verify: (token: string) => Promise<VerifiedToken>) {
  return lambdaHandler<APIGatewayRequestAuthorizerEvent, APIGatewayAuthorizerResult>()
    .use({
      onError: async (request) => {
        logger.info('socket refused', { reason: (request.error as Error).message });
        request.error = new Error('Unauthorized');
      },
    })
    .handler(async (event) => {
      const token = event.queryStringParameters?.token;
      if (!token) throw new Error('no token');
      const { agentId, groups, expiresAt } = await verify(token);
      appendLogKeys({ agentId });
      // A valid token of someone who is not an agent (a supervisor's, an admin's): denied, which is a 403.
      const agent = groups.includes('agents');
      if (!agent) logger.info('socket refused', { reason: 'not in the agents group' });
      return {
        principalId: agentId,
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Action: 'execute-api:Invoke', Effect: agent ? 'Allow' : 'Deny', Resource: event.methodArn },
          ],
        },
        context: { agentId, ...(expiresAt ? { tokenExpiresAt: expiresAt } : {}) },
      };
    });
}
