import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import type { Logger } from '../../core/ports.ts';

/** The one logger of every function: JSON lines with the service name and the keys each call passes. */
const powertools = new PowertoolsLogger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'call-resiliency',
});

export const logger: Logger = {
  info: (message, extra) => powertools.info(message, (extra ?? {}) as LogAttributes),
  warn: (message, extra) => powertools.warn(message, (extra ?? {}) as LogAttributes),
  error: (message, extra) => powertools.error(message, (extra ?? {}) as LogAttributes),
};
