import { makeWebhookSecrets } from '../../adapters/webhook-secrets.ts';
import { ENV } from '../catalog.ts';

/**
 * The CCaaS webhook secrets of this function: inline locally, from Secrets Manager on AWS (webhook:verify,
 * webhook:sign). One list verifies what the CCaaS sends and signs what we send.
 */
export const webhookSecrets = makeWebhookSecrets(() => ({
  inline: process.env[ENV.webhookSecret],
  arn: process.env[ENV.webhookSecretArn],
}));
