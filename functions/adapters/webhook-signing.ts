import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Webhook } from 'standardwebhooks';
import type { WebhookHeaders, WebhookSigning } from '../core/ports.ts';

export interface WebhookSecretSource {
  /** The secrets themselves (local runtime, tests). */
  inline?: string;
  /** A Secrets Manager secret holding them (AWS). */
  arn?: string;
}

const CACHE_MS = 5 * 60_000;

/**
 * Standard Webhooks signatures (HMAC-SHA256 over id.timestamp.body, 5-minute tolerance both ways) with the
 * CCaaS's secrets. Several may be active at once while one is rotated out, separated by spaces: a message
 * verifies with any of them, and we sign with the first (during a rotation, the one the other side has had
 * longest). The secrets are inline when given, else read from Secrets Manager and cached for five minutes,
 * so a rotation takes effect without a deploy.
 */
export function makeWebhookSigning(
  client: SecretsManagerClient,
  source: () => WebhookSecretSource,
): WebhookSigning {
  let cached: { secrets: string[]; until: number } | undefined;
  const split = (text: string) => text.split(/\s+/).filter(Boolean);

  async function secrets(): Promise<string[]> {
    const { inline, arn } = source();
    if (inline) return split(inline);
    if (cached && cached.until > Date.now()) return cached.secrets;
    if (!arn) throw new Error('no webhook signing secret configured');
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    cached = { secrets: split(SecretString ?? ''), until: Date.now() + CACHE_MS };
    return cached.secrets;
  }

  return {
    async verify(body, headers) {
      let reason = 'no signing secret configured';
      for (const secret of await secrets()) {
        try {
          new Webhook(secret).verify(body, { ...headers }, { jsonParse: false });
          return;
        } catch (err) {
          reason = (err as Error).message;
        }
      }
      throw new Error(reason);
    },

    // Each delivery attempt is stamped anew, so a retry still passes the receiver's 5-minute tolerance.
    async sign(id, at, body): Promise<WebhookHeaders> {
      const [secret] = await secrets();
      if (!secret) throw new Error('no webhook signing secret configured');
      return {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign(id, at, body),
      };
    },
  };
}
