import middy from '@middy/core';
import { app } from '../shared/container.ts';
import { logger } from '../shared/logger.ts';

/** Every minute: retries pending interactions and frees agents left reserved. */
export const handler = middy<unknown, void>().handler(async () => {
  const result = await app().sweep();
  if (result.interactionsCreated || result.interactionsFailed || result.agentsFreed)
    logger.info('sweep', result);
});
