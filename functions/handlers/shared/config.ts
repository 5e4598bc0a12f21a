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

function seconds(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a whole number of seconds ≥ 1, got "${raw}"`);
  return value;
}

/** Routing settings, validated once at cold start. */
export function readSettings(): Settings {
  const mode = process.env[ENV.interactionMode] || 'resiliency';
  if (mode !== 'resiliency' && mode !== 'standard') {
    throw new Error(`${ENV.interactionMode} must be resiliency or standard, got "${mode}"`);
  }
  return {
    offerTimeoutSeconds: seconds(ENV.offerTimeoutSeconds, 20),
    maxQueueSeconds: seconds(ENV.maxQueueSeconds, 300),
    interactionMode: mode,
    missedOfferStatus: 'not_responding',
  };
}
