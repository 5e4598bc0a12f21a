import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * The CCaaS signing secrets: several may be active at once while one is rotated out, separated by spaces.
 * From `CCAAS_WEBHOOK_SECRET` when set (local runtime, tests), else from the Secrets Manager secret named
 * by `CCAAS_WEBHOOK_SECRET_ARN` (AWS), read once per container and cached for five minutes so a rotation
 * takes effect without a deploy.
 */
export function makeWebhookSecrets(env: NodeJS.ProcessEnv = process.env): () => Promise<string[]> {
  let cached: { secrets: string[]; until: number } | undefined;
  let client: SecretsManagerClient | undefined;
  return async () => {
    const inline = env.CCAAS_WEBHOOK_SECRET;
    if (inline) return inline.split(/\s+/).filter(Boolean);
    if (cached && cached.until > Date.now()) return cached.secrets;
    const arn = env.CCAAS_WEBHOOK_SECRET_ARN;
    if (!arn)
      throw new Error('missing environment variable CCAAS_WEBHOOK_SECRET or CCAAS_WEBHOOK_SECRET_ARN');
    client ??= new SecretsManagerClient({});
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    const secrets = (SecretString ?? '').split(/\s+/).filter(Boolean);
    cached = { secrets, until: Date.now() + 5 * 60_000 };
    return secrets;
  };
}
