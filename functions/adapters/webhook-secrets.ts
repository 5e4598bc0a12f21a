import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

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
