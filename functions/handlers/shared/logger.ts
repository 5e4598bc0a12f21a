import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import type { Logger } from '../../core/ports.ts';

/**
 * The one logger of a function: JSON lines with the service name (POWERTOOLS_SERVICE_NAME, which the CDK app
 * and the local runtime set), the Lambda context (injected by every handler shape) and the ids of what the
 * invocation is about. Those keys are per invocation: Powertools resets them after each one, and scopes
 * them to it when invocations run concurrently.
 */
export const powertools = new PowertoolsLogger();

/** The ids that make every log line of a call findable. */
const LOG_KEYS = ['callId', 'agentId', 'offerId', 'interactionId', 'connectionId'] as const;

/** Adds the ids found in `source` (a path, a message, an event detail) to every later line of this invocation. */
export function appendLogKeys(source: unknown): void {
  if (!source || typeof source !== 'object') return;
  const record = source as Record<string, unknown>;
  const keys = Object.fromEntries(
    LOG_KEYS.filter((key) => typeof record[key] === 'string').map((key) => [key, record[key]]),
  );
  if (Object.keys(keys).length > 0) powertools.appendKeys(keys);
}

/** The core's Logger port, over Powertools. */
export const logger: Logger = {
  info: (message, extra) => powertools.info(message, (extra ?? {}) as LogAttributes),
  warn: (message, extra) => powertools.warn(message, (extra ?? {}) as LogAttributes),
  error: (message, extra) => powertools.error(message, (extra ?? {}) as LogAttributes),
};
