import { createHash } from 'node:crypto';
import { cleanupMiddlewares } from '@aws-lambda-powertools/commons';
import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { WebhookHeaders, WebhookReceipts } from '../../core/ports.ts';
import { type Ports, ports } from './container.ts';
import { RequestError } from './errors.ts';
import { type HttpEvent, type HttpFunction, type HttpResponse, httpHandler, rawBody } from './http.ts';
import { logger } from './logger.ts';

/** Standard Webhooks' signature tolerance: a signed message can be replayed for this long, no longer. */
const SIGNATURE_TOLERANCE_MS = 5 * 60_000;
/** How long a replay waits for the first request's answer before answering 409 REPLAY_IN_PROGRESS. */
const WAIT_FOR_FIRST_MS = 2_000;
const POLL_MS = 100;
/** What a webhook-id may be: it is a DynamoDB key, so bounded (well under the 2 KB key limit). */
const WEBHOOK_ID = /^[\x21-\x7e]{1,256}$/;
/** Where this request keeps the webhook-id it claimed, until its answer is known. */
const CLAIMED = 'signedWebhook.claimed';

type HttpRequest = Request<HttpEvent, HttpResponse, Error, Context, Record<string, unknown>>;

/**
 * The shape of a CCaaS callback: an HTTP function whose signature is verified and webhook-id claimed before
 * the handler runs, and whose answer is kept for replays (signedWebhook).
 */
export function signedCallbackHandler(fn: HttpFunction) {
  return httpHandler(fn, signedWebhook(ports));
}

/**
 * The middleware of the CCaaS callbacks (Standard Webhooks: webhook-id, webhook-timestamp,
 * webhook-signature; HMAC-SHA256 over id.timestamp.body; 5-minute tolerance both ways).
 * Before the handler: the signature is verified against every active secret (401 otherwise), the
 * webhook-id checked (up to 256 printable ASCII characters, else 422), then claimed for this request. A
 * replay of an answered id gets the stored first answer at once and runs nothing; one whose first request
 * is still running waits up to 2 s for that answer, then gets 409 REPLAY_IN_PROGRESS (the sender retries,
 * and then finds the answer); the same id on another path or with another body is 409 WEBHOOK_ID_REUSED.
 * After the handler, or its error: a 2xx or 4xx answer is stored for replays (a retry would get the same
 * anyway), a 5xx releases the claim so that a retry runs.
 * Used after the header normalizer and before the error mapper, whose answer it stores.
 */
export function signedWebhook(
  ports: () => Pick<Ports, 'webhookSigning' | 'webhookReceipts'>,
): MiddlewareObj<HttpEvent, HttpResponse> {
  const before = async (request: HttpRequest): Promise<HttpResponse | undefined> => {
    const headers = signatureHeaders(request.event);
    const body = rawBody(request.event);
    try {
      await ports().webhookSigning.verify(body, headers);
    } catch (err) {
      throw new RequestError(401, 'UNAUTHORIZED', `webhook signature rejected: ${(err as Error).message}`);
    }
    const webhookId = headers['webhook-id'];
    if (!WEBHOOK_ID.test(webhookId)) {
      throw new RequestError(422, 'VALIDATION_FAILED', 'webhook-id is not a valid message id', [
        { path: 'webhook-id', message: 'up to 256 printable ASCII characters, no spaces' },
      ]);
    }
    const signedAt = new Date(Number(headers['webhook-timestamp']) * 1000);
    const answered = await claim(ports().webhookReceipts, request.event, webhookId, signedAt, body);
    if (answered) {
      logger.info('replayed webhook answered as the first time', { webhookId });
      // An early answer skips every `after`: let the middlewares before this one clean up now.
      await cleanupMiddlewares(request);
      return answered;
    }
    request.internal[CLAIMED] = webhookId;
    return undefined;
  };

  const settle = async (request: HttpRequest): Promise<void> => {
    const webhookId = request.internal[CLAIMED];
    const response = request.response;
    if (typeof webhookId !== 'string' || !response) return;
    delete request.internal[CLAIMED];
    const receipts = ports().webhookReceipts;
    try {
      const statusCode = response.statusCode ?? 200;
      if (statusCode >= 500) await receipts.release(webhookId);
      else {
        await receipts.complete(webhookId, {
          statusCode,
          headers: Object.fromEntries(
            Object.entries(response.headers ?? {}).map(([name, value]) => [name, String(value)]),
          ),
          body: response.body ?? '',
        });
      }
    } catch (error) {
      // Not answered: the claim's lease runs out, and a replay then runs the (idempotent) handler again.
      logger.warn('webhook receipt not settled', { webhookId, error: (error as Error).message });
    }
  };

  return { before, after: settle, onError: settle };
}

function signatureHeaders(event: HttpEvent): WebhookHeaders {
  const headers = {
    'webhook-id': event.headers?.['webhook-id'] ?? '',
    'webhook-timestamp': event.headers?.['webhook-timestamp'] ?? '',
    'webhook-signature': event.headers?.['webhook-signature'] ?? '',
  };
  if (!headers['webhook-id'] || !headers['webhook-timestamp'] || !headers['webhook-signature']) {
    throw new RequestError(
      401,
      'UNAUTHORIZED',
      'missing webhook-id, webhook-timestamp or webhook-signature header',
    );
  }
  return headers;
}

/**
 * Claims the webhook-id; resolves to the stored first answer when it is a replay of an answered one. The
 * receipt lives as long as the signature could be replayed: 5 minutes past the later of its timestamp and now.
 */
async function claim(
  receipts: WebhookReceipts,
  event: HttpEvent,
  webhookId: string,
  signedAt: Date,
  body: string,
): Promise<HttpResponse | undefined> {
  const fingerprint = createHash('sha256')
    .update(`${event.requestContext?.http?.method} ${event.rawPath}\n${body}`)
    .digest('base64url');
  const expiresAt = new Date(Math.max(Date.now(), signedAt.getTime()) + SIGNATURE_TOLERANCE_MS);
  const deadline = Date.now() + WAIT_FOR_FIRST_MS;
  for (;;) {
    const outcome = await receipts.claim(webhookId, fingerprint, expiresAt);
    if (outcome.outcome === 'claimed') return undefined;
    if (outcome.outcome === 'answered') return outcome.response;
    if (outcome.outcome === 'conflict') {
      throw new RequestError(
        409,
        'WEBHOOK_ID_REUSED',
        `webhook-id ${webhookId} was already used for another request; every message needs its own id`,
      );
    }
    if (Date.now() >= deadline) {
      throw new RequestError(
        409,
        'REPLAY_IN_PROGRESS',
        `webhook-id ${webhookId} is being processed by an earlier request; retry to get its answer`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
