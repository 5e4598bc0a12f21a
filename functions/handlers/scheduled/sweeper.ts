import middy from '@middy/core';
import { app } from '../shared/container.ts';
import { logger } from '../shared/logger.ts';

/** Every minute: retries pending interactions, applies timed presence, repairs agents and stuck calls. */
export const handler = middy<unknown, void>().handler(async () => {
  const result = await app().sweep();
  if (Object.values(result).some((n) => n > 0)) logger.info('sweep', { ...result });
});
