import { app } from '../shared/container.ts';
import { scheduledHandler } from '../shared/events.ts';
import { logger } from '../shared/logger.ts';

/** Every minute: retries pending interactions, applies timed presence, repairs agents and stuck calls. */
export const handler = scheduledHandler(async () => {
  const result = await app().sweep();
  if (Object.values(result).some((n) => n > 0)) logger.info('sweep', { ...result });
});
