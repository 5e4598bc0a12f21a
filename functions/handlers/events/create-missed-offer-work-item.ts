import * as z from 'zod/mini';
import { Id } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { eventHandler } from '../shared/events.ts';
import { logger } from '../shared/logger.ts';

const MissedOfferDetail = z.looseObject({ callId: Id, offerId: Id, agentId: Id, at: z.string() });

/**
 * Behind the MissedOfferWorkItems rule (`call.offer_missed`): the interaction and the work item of a
 * missed offer. Throwing makes EventBridge retry (then dead-letter); repeats are harmless.
 */
export const handler = eventHandler(MissedOfferDetail, async ({ callId, offerId, agentId, at }) => {
  const recorded = await app().createMissedOfferWorkItem({ callId, offerId, agentId, at });
  logger.info('missed offer work item created', recorded);
});
