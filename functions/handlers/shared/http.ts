import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import { verifyWebhookSignature } from '../../adapters/webhook-secrets.ts';
import { mapError, RequestError } from './errors.ts';
import { logger } from './logger.ts';
import { webhookSecrets } from './secrets.ts';
import { parseJson } from './validation.ts';
import { claimWebhook, ReplayedWebhook, webhookReceipts } from './webhook-replay.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResponse = APIGatewayProxyStructuredResultV2;

export const MAX_BODY_BYTES = 64 * 1024;

export function json(statusCode: number, body: unknown): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** Every error becomes `{"error":{"code","message","requestId"}}`; unexpected ones are logged with the id. */
function httpErrors(): MiddlewareObj<HttpEvent, HttpResponse> {
  return {
    onError: async (request) => {
      if (request.error instanceof ReplayedWebhook) {
        request.response = request.error.response;
        return;
      }
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
 * The shape of every HTTP function: errors mapped in one place, the answer of a signed callback kept for
 * its replays (see verifyWebhook), handler last.
 */
export function httpHandler(fn: (event: HttpEvent) => Promise<HttpResponse>) {
  // Registered before httpErrors so that its onError sees the mapped error response.
  return middy<HttpEvent, HttpResponse>().use(webhookReceipts()).use(httpErrors()).handler(fn);
}

function header(event: HttpEvent, name: string): string | undefined {
  const key = Object.keys(event.headers ?? {}).find((k) => k.toLowerCase() === name);
  return key ? event.headers[key] : undefined;
}

/** The body as the client sent it: signatures are computed over these exact bytes. */
export function rawBody(event: HttpEvent): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** JSON only (415), at most 64 KB (413), then parsed (400) and validated (422). */
export function readJson<S extends z.ZodType>(event: HttpEvent, schema: S): z.infer<S> {
  const type = header(event, 'content-type') ?? '';
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    throw new RequestError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  }
  const body = rawBody(event);
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
    throw new RequestError(413, 'PAYLOAD_TOO_LARGE', `the body is over ${MAX_BODY_BYTES} bytes`);
  }
  return parseJson(schema, body);
}

/**
 * Verifies a CCaaS callback per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature;
 * HMAC-SHA256 over id.timestamp.body; 5-minute tolerance both ways) against every active secret, then
 * claims its webhook-id so that a replay gets the first answer and runs nothing (claimWebhook).
 */
export async function verifyWebhook(event: HttpEvent): Promise<void> {
  const headers = {
    'webhook-id': header(event, 'webhook-id') ?? '',
    'webhook-timestamp': header(event, 'webhook-timestamp') ?? '',
    'webhook-signature': header(event, 'webhook-signature') ?? '',
  };
  if (!headers['webhook-id'] || !headers['webhook-timestamp'] || !headers['webhook-signature']) {
    throw new RequestError(
      401,
      'UNAUTHORIZED',
      'missing webhook-id, webhook-timestamp or webhook-signature header',
    );
  }
  const body = rawBody(event);
  try {
    verifyWebhookSignature(await webhookSecrets(), body, headers);
  } catch (err) {
    throw new RequestError(401, 'UNAUTHORIZED', `webhook signature rejected: ${(err as Error).message}`);
  }
  const signedAt = new Date(Number(headers['webhook-timestamp']) * 1000);
  await claimWebhook(event, headers['webhook-id'], signedAt, body);
}

export function pathParam(event: HttpEvent, name: string): string {
  const value = event.pathParameters?.[name];
  if (!value) throw new RequestError(400, 'BAD_REQUEST', `missing path parameter ${name}`);
  return decodeURIComponent(value);
}
