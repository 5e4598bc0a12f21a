import type { Settings } from '../../core/use-cases/index.ts';
import { ENV } from '../catalog.ts';

/** Reads a required variable; thrown at first use, with the variable's name, when it is missing. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`missing environment variable ${name}`);
  return value;
}

/** A variable read lazily: a function that never uses a resource needs no configuration for it. */
export const lazyEnv = (name: string) => () => requireEnv(name);

function seconds(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be a whole number of seconds ≥ ${min}, got "${raw}"`);
  }
  return value;
}

function oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const raw = process.env[name] || fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new Error(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

/** Routing and presence settings, validated once at cold start. */
export function readSettings(): Settings {
  return {
    offerTimeoutSeconds: seconds(ENV.offerTimeoutSeconds, 20),
    maxQueueSeconds: seconds(ENV.maxQueueSeconds, 300),
    interactionMode: oneOf(ENV.interactionMode, ['resiliency', 'standard'], 'resiliency'),
    missedOfferStatus: oneOf(
      ENV.missedOfferStatus,
      ['not_responding', 'away', 'available'],
      'not_responding',
    ),
    wrapUpSeconds: seconds(ENV.wrapUpSeconds, 60, 0),
    agentOfflineGraceSeconds: seconds(ENV.agentOfflineGraceSeconds, 30, 0),
  };
}
