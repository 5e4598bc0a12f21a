import type { Settings } from '../core/deps.ts';
import { webhookAttemptsAtMost } from '../core/webhook-retry.ts';
import { ENV } from './environment.ts';

export type { Settings } from '../core/deps.ts';

/**
 * The routing and presence settings: one parser for every source — the functions' environment variables,
 * `npm start`'s environment and the CDK app's context — so a bad value fails the same way everywhere, and
 * at once (cold start, start-up, synth).
 */

export type SettingKey = keyof Settings & keyof typeof ENV;

/** The defaults of every setting (README's configuration table). */
export const DEFAULT_SETTINGS: Settings = {
  offerTimeoutSeconds: 20,
  maxQueueSeconds: 300,
  interactionMode: 'resiliency',
  missedOfferStatus: 'not_responding',
  wrapUpSeconds: 60,
  agentOfflineGraceSeconds: 30,
  retentionDays: 365,
  webhookFirstRetrySeconds: 1,
  webhookMaxRetryDelaySeconds: 15 * 60,
  webhookMaxAgeSeconds: 24 * 3600,
};

/**
 * The longest wait between two attempts of a webhook: SQS's longest visibility timeout (12 hours) counts
 * from the receive, so the delay set a moment later must leave room for the notifier's run (60 s at most).
 */
export const MAX_WEBHOOK_RETRY_DELAY_SECONDS = 12 * 3600 - 60;
/** A webhook waits a week at most: the outbox keeps messages for 14 days, its dead-letter queue as long. */
export const MAX_WEBHOOK_AGE_SECONDS = 7 * 24 * 3600;
/**
 * SQS moves a message to its dead-letter queue after 1000 receives at most: the outbox's maximum receive
 * count is twice the attempts of the schedule (room for attempts that crashed), so they stay under 500.
 */
export const MAX_WEBHOOK_ATTEMPTS = 500;

/**
 * The outbox's maximum receive count (its SQS redrive policy): past the schedule's own attempts, so that
 * the schedule decides when a webhook is given up, and SQS only sets aside a message whose every attempt
 * crashed before it could.
 */
export function webhookOutboxMaxReceiveCount(settings: Settings): number {
  return 2 * webhookAttemptsAtMost(settings);
}

/**
 * Validates the settings from any source. `describe` names a setting in error messages the way its source
 * spells it (an environment variable by default, `context offerTimeoutSeconds` in the CDK app).
 */
export function parseSettings(
  get: (key: SettingKey) => unknown,
  describe: (key: SettingKey) => string = (key) => ENV[key],
): Settings {
  const raw = (key: SettingKey): string | undefined => {
    const value = get(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const whole = (
    key: SettingKey & (`${string}Seconds` | `${string}Days`),
    min = 1,
    max = Number.MAX_SAFE_INTEGER,
  ): number => {
    const value = raw(key);
    if (value === undefined) return DEFAULT_SETTINGS[key];
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      const unit = key.endsWith('Days') ? 'days' : 'seconds';
      const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
      throw new Error(`${describe(key)} must be a whole number of ${unit} ${range}, got "${value}"`);
    }
    return n;
  };
  const oneOf = <K extends 'interactionMode' | 'missedOfferStatus'>(
    key: K,
    allowed: readonly Settings[K][],
  ) => {
    const value = raw(key) ?? DEFAULT_SETTINGS[key];
    if (!(allowed as readonly string[]).includes(value)) {
      throw new Error(`${describe(key)} must be one of ${allowed.join(', ')}, got "${value}"`);
    }
    return value as Settings[K];
  };
  const settings: Settings = {
    offerTimeoutSeconds: whole('offerTimeoutSeconds'),
    maxQueueSeconds: whole('maxQueueSeconds'),
    interactionMode: oneOf('interactionMode', ['resiliency', 'standard']),
    missedOfferStatus: oneOf('missedOfferStatus', ['not_responding', 'away', 'available']),
    wrapUpSeconds: whole('wrapUpSeconds', 0),
    agentOfflineGraceSeconds: whole('agentOfflineGraceSeconds', 0),
    retentionDays: whole('retentionDays'),
    webhookFirstRetrySeconds: whole('webhookFirstRetrySeconds', 1, MAX_WEBHOOK_RETRY_DELAY_SECONDS),
    webhookMaxRetryDelaySeconds: whole('webhookMaxRetryDelaySeconds', 1, MAX_WEBHOOK_RETRY_DELAY_SECONDS),
    webhookMaxAgeSeconds: whole('webhookMaxAgeSeconds', 1, MAX_WEBHOOK_AGE_SECONDS),
  };
  if (settings.webhookFirstRetrySeconds > settings.webhookMaxRetryDelaySeconds) {
    throw new Error(
      `${describe('webhookFirstRetrySeconds')} must be at most ${describe('webhookMaxRetryDelaySeconds')} (${settings.webhookMaxRetryDelaySeconds}), got "${settings.webhookFirstRetrySeconds}"`,
    );
  }
  const attempts = webhookAttemptsAtMost(settings);
  if (attempts > MAX_WEBHOOK_ATTEMPTS) {
    throw new Error(
      `${describe('webhookMaxAgeSeconds')} over ${describe('webhookMaxRetryDelaySeconds')} must make at most ${MAX_WEBHOOK_ATTEMPTS} attempts of a webhook, got ${attempts}: raise the delay or lower the age`,
    );
  }
  return settings;
}

/** The settings in environment variables, as a function reads them. */
export function settingsFromEnvironment(env: Readonly<Record<string, string | undefined>>): Settings {
  return parseSettings((key) => env[ENV[key]]);
}

/** Settings as the functions' environment variables. */
export function settingsEnvironment(settings: Settings): Record<string, string> {
  return Object.fromEntries(
    (Object.keys(DEFAULT_SETTINGS) as SettingKey[]).map((key) => [ENV[key], String(settings[key])]),
  );
}
