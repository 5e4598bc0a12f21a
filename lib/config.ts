/**
 * Routing and presence settings of a deployment, from CDK context: `npx cdk deploy -c offerTimeoutSeconds=30
 * -c maxQueueSeconds=600 -c interactionMode=standard -c wrapUpSeconds=90`. Every function gets them as
 * environment variables. Validated by the same code the functions run, so a bad value fails the synth.
 */
import type { Node } from 'constructs';
import { DEFAULT_SETTINGS, parseSettings, type Settings } from '../functions/manifest/index.ts';

export type RoutingConfig = Settings;

export const DEFAULT_ROUTING_CONFIG: RoutingConfig = DEFAULT_SETTINGS;

export function routingConfigFromContext(node: Node): RoutingConfig {
  return parseSettings(
    (key) => node.tryGetContext(key),
    (key) => `context ${key}`,
  );
}

/**
 * The CCaaS webhook URL from context `ccaasWebhookUrl` (`-c ccaasWebhookUrl=https://ccaas.example.com/hooks`):
 * absent means no webhooks are sent; anything but an https URL fails the synth.
 */
export function ccaasWebhookUrlFromContext(node: Node): string | undefined {
  const value = node.tryGetContext('ccaasWebhookUrl');
  if (value === undefined || value === null || value === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(String(value));
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:') {
    throw new Error(`context ccaasWebhookUrl must be an https URL, got "${String(value)}"`);
  }
  return url.href;
}
