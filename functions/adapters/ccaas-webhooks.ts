import { signWebhook } from './webhook-secrets.ts';

/** A webhook to the CCaaS, as docs/openapi.yaml documents it under `webhooks`. */
export interface CcaasWebhook {
  /** The domain event type: `call.offered`, `call.ended`, `interaction.created`... */
  type: string;
  /** The domain event's stable id, also sent as `webhook-id`: the same fact always carries the same id. */
  id: string;
  /** When the fact happened (ISO 8601). */
  at: string;
  /** The event's fields; `callId` always. */
  data: Record<string, unknown>;
}

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

/** Port: delivers webhooks to the CCaaS. Resolves once the receiver took one (2xx), throws WebhookDeliveryError otherwise. */
export interface CcaasWebhooks {
  deliver(webhook: CcaasWebhook): Promise<void>;
}

export interface CcaasWebhooksOptions {
  url: () => string;
  /** The Standard Webhooks secrets; the first signs. */
  secrets: () => Promise<string[]>;
  /** A receiver that has not answered by then is treated as down (the attempt is retried). */
  timeoutMs?: number;
  now?: () => Date;
}

/**
 * POSTs each webhook as JSON, signed per Standard Webhooks and stamped at the attempt (so a retry after an
 * outage still passes the receiver's 5-minute tolerance). Redirects are not followed: a webhook URL that
 * moved is a configuration to fix, not something to guess at.
 */
export function makeCcaasWebhooks({
  url,
  secrets,
  timeoutMs = 5_000,
  now = () => new Date(),
}: CcaasWebhooksOptions): CcaasWebhooks {
  return {
    async deliver(webhook) {
      const body = JSON.stringify(webhook);
      const target = url();
      let res: Response;
      try {
        res = await fetch(target, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...signWebhook(await secrets(), webhook.id, now(), body),
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
      if (res.ok) return;
      const permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
      throw new WebhookDeliveryError(`POST ${target}: ${res.status} ${answer}`.trim(), permanent, res.status);
    },
  };
}
