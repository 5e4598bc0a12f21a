import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Webhook } from 'standardwebhooks';

export interface WebhookSecretSource {
  /** The secrets themselves (local runtime, tests). */
  inline?: string;
  /** A Secrets Manager secret holding them (AWS). */
  arn?: string;
}

/**
 * The CCaaS signing secrets: several may be active at once while one is rotated out, separated by spaces.
 * Inline when given, else read from Secrets Manager once per container and cached for five minutes, so a
 * rotation takes effect without a deploy.
 */
export function makeWebhookSecrets(source: () => WebhookSecretSource): () => Promise<string[]> {
  let cached: { secrets: string[]; until: number } | undefined;
  let client: SecretsManagerClient | undefined;
  return async () => {
    const { inline, arn } = source();
    if (inline) return inline.split(/\s+/).filter(Boolean);
    if (cached && cached.until > Date.now()) return cached.secrets;
    if (!arn) throw new Error('no webhook signing secret configured');
    client ??= new SecretsManagerClient({});
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    const secrets = (SecretString ?? '').split(/\s+/).filter(Boolean);
    cached = { secrets, until: Date.now() + 5 * 60_000 };
    return secrets;
  };
}

/** The three Standard Webhooks headers. */
export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Signs a message with the first secret of the list (during a rotation: the one the other side has had
 * longest, until it confirms it knows the next), stamped `at` (each delivery attempt is stamped anew, so a
 * retry passes the receiver's 5-minute tolerance).
 */
export function signWebhook(secrets: readonly string[], id: string, at: Date, body: string): WebhookHeaders {
  const [secret] = secrets;
  if (!secret) throw new Error('no webhook signing secret configured');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

/**
 * Verifies a message against every active secret (HMAC-SHA256 over id.timestamp.body, 5-minute tolerance
 * both ways). Throws with the reason of the last secret tried when none matches.
 */
export function verifyWebhookSignature(
  secrets: readonly string[],
  body: string,
  headers: WebhookHeaders,
): void {
  let reason = 'no signing secret configured';
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(body, { ...headers }, { jsonParse: false });
      return;
    } catch (err) {
      reason = (err as Error).message;
    }
  }
  throw new Error(reason);
}
