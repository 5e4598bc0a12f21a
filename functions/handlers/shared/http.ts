import type { MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod/mini';
import type { Caller } from '../../core/permissions.ts';
import { STAFF_GROUPS, type StaffGroup } from '../../core/vocabulary.ts';
import { Id } from '../schemas.ts';
import { mapError, RequestError } from './errors.ts';
import { lambdaHandler } from './lambda.ts';
import { appendLogKeys, logger } from './logger.ts';
import { parseJsonText, validate } from './validation.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResponse = APIGatewayProxyStructuredResultV2;
export type HttpFunction = (event: HttpEvent) => Promise<HttpResponse>;

const MAX_BODY_BYTES = 64 * 1024;

export function json(statusCode: number, body: unknown): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** A list route's body: `{<name>: [...items], nextCursor?}`; no `nextCursor` on the last page. */
export function page<T>(name: string, { items, cursor }: { items: T[]; cursor?: string | undefined }) {
  return { [name]: items, ...(cursor ? { nextCursor: cursor } : {}) };
}

/**
 * Every error becomes `{"error":{"code","message","requestId"}}`; unexpected ones are logged with the id.
 * It sets the response and returns nothing, so the middlewares used before it still see the error.
 */
function httpErrors(): MiddlewareObj<HttpEvent, HttpResponse> {
  return {
    onError: async (request) => {
      const requestId = request.event.requestContext?.requestId;
      const mapped = mapError(request.error);
      if (mapped.unexpected) logger.error('request failed', { requestId, error: request.error as Error });
      else logger.info('request refused', { requestId, status: mapped.status, code: mapped.code });
      request.response = json(mapped.status, {
        error: {
          code: mapped.code,
          message: mapped.message,
          requestId,
          ...(mapped.details ? { details: mapped.details } : {}),
        },
      });
    },
  };
}

/**
 * The shape of an HTTP function: lower-case headers, the path's ids in the logs, the shape's own `edge`
 * middlewares (a CCaaS callback's signedWebhook), errors mapped, handler last.
 */
export function httpHandler(fn: HttpFunction, ...edge: MiddlewareObj<HttpEvent, HttpResponse>[]) {
  return lambdaHandler<HttpEvent, HttpResponse>()
    .use(httpHeaderNormalizer())
    .use({ before: async (request) => appendLogKeys(request.event.pathParameters) })
    .use(edge)
    .use(httpErrors())
    .handler(fn);
}

/**
 * Who is asking, from the claims the HTTP API's JWT authorizer verified: `sub` and `cognito:groups`, which
 * API Gateway hands over as strings, an array as `"[agents supervisors]"`. A route reached without them was
 * deployed without the authorizer: refused (401), never served as anonymous.
 */
export function callerOf(event: HttpEvent): Caller {
  const { authorizer } = event.requestContext as {
    authorizer?: { jwt?: { claims?: Record<string, unknown> } };
  };
  const claims = authorizer?.jwt?.claims ?? {};
  const sub = claims.sub;
  if (typeof sub !== 'string' || !sub)
    throw new RequestError(401, 'UNAUTHORIZED', 'this route needs a signed-in user');
  const groups = String(claims['cognito:groups'] ?? '')
    .replace(/^\[|\]$/g, '')
    .split(/\s+/)
    .filter((g): g is StaffGroup => (STAFF_GROUPS as readonly string[]).includes(g));
  return { userId: sub, groups };
}

/** The shape of a staff route (every route but the signed CCaaS callbacks): the handler gets its caller. */
export function staffHandler(fn: (event: HttpEvent, caller: Caller) => Promise<HttpResponse>) {
  return httpHandler((event) => fn(event, callerOf(event)));
}

/** The body as the client sent it: signatures are computed over these exact bytes. */
export function rawBody(event: HttpEvent): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** JSON only (415), at most 64 KB (413), then parsed (400) and validated (422). */
export function readJson<S extends z.ZodMiniType>(event: HttpEvent, schema: S): z.infer<S> {
  const type = event.headers?.['content-type'] ?? '';
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    throw new RequestError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  }
  const body = rawBody(event);
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
    throw new RequestError(413, 'PAYLOAD_TOO_LARGE', `the body is over ${MAX_BODY_BYTES} bytes`);
  }
  return validate(schema, parseJsonText(body));
}

/**
 * A path parameter (API Gateway hands it percent-decoded, once) checked against the id format of the
 * contract (422): an id that could not exist never reaches a store, whose keys are limited (DynamoDB: 2 KB)
 * and whose failures would read as an outage.
 */
export function pathParam(event: HttpEvent, name: string): string {
  const value = event.pathParameters?.[name];
  if (!value) throw new RequestError(400, 'BAD_REQUEST', `missing path parameter ${name}`);
  return validate(Id, value, name);
}
