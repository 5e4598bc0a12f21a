import type { CcaasWebhooks, Logger, WebhookSigning } from '../core/ports.ts';

/** Why a delivery failed; `permanent` when the receiver refused the webhook itself (a 4xx other than 408/429). */
export class WebhookDeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = permanent ? 'WebhookRejected' : 'WebhookDeliveryFailed';
  }
}

export interface CcaasWebhooksOptions {
  /** Where the CCaaS receives them; none are delivered while it is empty. */
  url: () => string;
  signing: WebhookSigning;
  logger: Logger;
  /** A receiver that has not answered by then is treated as down (the attempt is retried). */
  timeoutMs?: number;
  now?: () => Date;
}

/**
 * Delivers webhooks to the CCaaS: resolves once the receiver took one (2xx), throws WebhookDeliveryError
 * otherwise. POSTs each webhook as JSON, signed per Standard Webhooks and stamped at the attempt (so a retry
 * after an outage still passes the receiver's 5-minute tolerance). Redirects are not followed: a webhook URL
 * that moved is a configuration to fix, not something to guess at.
 */
export function makeCcaasWebhooks({
  url,
  signing,
  logger,
  timeoutMs = 5_000,
  now = () => new Date(),
}: CcaasWebhooksOptions): CcaasWebhooks {
  let toldNoUrl = false;
  return {
    async deliver(webhook) {
      const target = url();
      if (!target) {
        if (!toldNoUrl) logger.info('no CCaaS webhook URL is configured: no webhooks are delivered');
        toldNoUrl = true;
        return false;
      }
      const body = JSON.stringify(webhook);
      let res: Response;
      try {
        res = await fetch(target, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(await signing.sign(webhook.id, now(), body)),
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const reason =
          (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : String(err);
        throw new WebhookDeliveryError(`POST ${target}: ${reason}`, false);
      }
      const answer = (await res.text().catch(() => '')).slice(0, 200);
      if (res.ok) return true;
      const permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
      throw new WebhookDeliveryError(`POST ${target}: ${res.status} ${answer}`.trim(), permanent, res.status);
    },
  };
}
