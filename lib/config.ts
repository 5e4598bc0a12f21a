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

/** Who gets the alarms by email, from context `alarmEmail`; absent means nobody is subscribed. */
export function alarmEmailFromContext(node: Node): string | undefined {
  const value = node.tryGetContext('alarmEmail');
  if (value === undefined || value === null || value === '') return undefined;
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(String(value))) {
    throw new Error(`context alarmEmail must be an email address, got "${String(value)}"`);
  }
  return String(value);
}

/** Where the browser workspace signs in (Cognito managed login, authorization code + PKCE). */
export interface SignInConfig {
  /** The managed login domain: `https://<prefix>.auth.<region>.amazoncognito.com`, unique in the region. */
  domainPrefix: string;
  /**
   * Where else Cognito may send people back after sign-in and sign-out, besides the hosted pages (which the
   * stack adds): pages served from another origin, or a developer's `http://localhost:…/`.
   */
  callbackUrls: string[];
}

/**
 * From context `loginDomainPrefix` (default `<stack>-<account>`, so a second stack or account gets its own)
 * and `workspaceCallbackUrls` (comma-separated; none by default: the hosted pages are always callback
 * URLs, and the local runtime signs in without Cognito). Callback URLs must be https, but for localhost; a
 * bad value fails the synth.
 */
export function signInConfigFromContext(
  node: Node,
  defaults: { stackName: string; account: string },
): SignInConfig {
  const prefix = String(
    node.tryGetContext('loginDomainPrefix') ?? `${defaults.stackName}-${defaults.account}`,
  ).toLowerCase();
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(prefix) || /aws|amazon|cognito/.test(prefix)) {
    throw new Error(
      `context loginDomainPrefix must be 1-63 lowercase letters, digits and hyphens without aws, amazon or cognito, got "${prefix}"`,
    );
  }
  const raw = node.tryGetContext('workspaceCallbackUrls') ?? '';
  const callbackUrls = String(raw)
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean);
  for (const url of callbackUrls) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    const local = parsed?.protocol === 'http:' && parsed.hostname === 'localhost';
    if (!parsed || !(parsed.protocol === 'https:' || local)) {
      throw new Error(`context workspaceCallbackUrls must be https URLs (or http://localhost), got "${url}"`);
    }
  }
  return { domainPrefix: prefix, callbackUrls };
}
