import type { Settings } from '../core/deps.ts';
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
};

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
  const whole = (key: SettingKey & (`${string}Seconds` | `${string}Days`), min = 1): number => {
    const value = raw(key);
    if (value === undefined) return DEFAULT_SETTINGS[key];
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) {
      const unit = key.endsWith('Days') ? 'days' : 'seconds';
      throw new Error(`${describe(key)} must be a whole number of ${unit} ≥ ${min}, got "${value}"`);
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
  return {
    offerTimeoutSeconds: whole('offerTimeoutSeconds'),
    maxQueueSeconds: whole('maxQueueSeconds'),
    interactionMode: oneOf('interactionMode', ['resiliency', 'standard']),
    missedOfferStatus: oneOf('missedOfferStatus', ['not_responding', 'away', 'available']),
    wrapUpSeconds: whole('wrapUpSeconds', 0),
    agentOfflineGraceSeconds: whole('agentOfflineGraceSeconds', 0),
    retentionDays: whole('retentionDays'),
  };
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
