import { createHash } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import { makeDocumentClient } from '../../adapters/dynamo/client.ts';
import { TABLES } from '../../adapters/dynamo/tables.ts';
import { makeWebhookReceipts, type WebhookReceipts } from '../../adapters/dynamo/webhook-receipts.ts';
import { lazyEnv } from './config.ts';
import { RequestError } from './errors.ts';
import type { HttpEvent, HttpResponse } from './http.ts';
import { logger } from './logger.ts';

/** Standard Webhooks' signature tolerance: a signed message can be replayed for this long, no longer. */
export const SIGNATURE_TOLERANCE_MS = 5 * 60_000;
/** How long a replay waits for the first request's answer before answering 409 REPLAY_IN_PROGRESS. */
const WAIT_FOR_FIRST_MS = 2_000;
const POLL_MS = 100;

/** A replayed webhook: answered with the stored first answer instead of running the handler. */
export class ReplayedWebhook extends Error {
  constructor(readonly response: HttpResponse) {
    super('replayed webhook');
    this.name = 'ReplayedWebhook';
  }
}

let receipts: WebhookReceipts | undefined;
const receiptsOf = (): WebhookReceipts => {
  receipts ??= makeWebhookReceipts({
    doc: makeDocumentClient(),
    tableName: lazyEnv(TABLES.webhookReceipts.envVar),
  });
  return receipts;
};

/** Requests of this container that hold the claim on their webhook-id, until their answer is known. */
const claims = new WeakMap<HttpEvent, string>();

/**
 * Claims a verified callback's webhook-id for this request (the function needs `webhookReceipts:write`).
 * A replay of an answered id throws ReplayedWebhook (the edge answers with the stored answer); one whose
 * first request is still running waits up to 2 s for that answer, then gets 409 REPLAY_IN_PROGRESS (the
 * sender retries, and then finds the answer). The same id on another path or with another body is 409
 * WEBHOOK_ID_REUSED. The receipt lives as long as the signature could be replayed: 5 minutes past the later
 * of its timestamp and now.
 */
export async function claimWebhook(event: HttpEvent, webhookId: string, signedAt: Date, body: string) {
  const fingerprint = createHash('sha256')
    .update(`${event.requestContext?.http?.method} ${event.rawPath}\n${body}`)
    .digest('base64url');
  const expiresAt = new Date(Math.max(Date.now(), signedAt.getTime()) + SIGNATURE_TOLERANCE_MS);
  const deadline = Date.now() + WAIT_FOR_FIRST_MS;
  for (;;) {
    const claim = await receiptsOf().claim(webhookId, fingerprint, expiresAt);
    if (claim.outcome === 'claimed') {
      claims.set(event, webhookId);
      return;
    }
    if (claim.outcome === 'answered') {
      logger.info('replayed webhook answered as the first time', { webhookId });
      throw new ReplayedWebhook(claim.response);
    }
    if (claim.outcome === 'conflict') {
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

/**
 * Settles the claim of a request once its answer is known: a 2xx or 4xx is stored for replays (a retry
 * would get the same answer anyway), a 5xx releases the claim so that the sender's retry runs. Failing to
 * store is logged, not answered: the claim's lease runs out and a replay then runs the (idempotent) handler.
 */
export function webhookReceipts(): MiddlewareObj<HttpEvent, HttpResponse> {
  const settle = async (request: { event: HttpEvent; response: HttpResponse | undefined | null }) => {
    const webhookId = claims.get(request.event);
    const response = request.response;
    if (!webhookId || !response) return;
    claims.delete(request.event);
    try {
      const statusCode = response.statusCode ?? 200;
      if (statusCode >= 500) await receiptsOf().release(webhookId);
      else {
        await receiptsOf().complete(webhookId, {
          statusCode,
          headers: Object.fromEntries(
            Object.entries(response.headers ?? {}).map(([name, value]) => [name, String(value)]),
          ),
          body: response.body ?? '',
        });
      }
    } catch (error) {
      logger.warn('webhook receipt not settled', { webhookId, error: (error as Error).message });
    }
  };
  return { after: settle, onError: settle };
}
