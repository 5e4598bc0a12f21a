import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { z } from 'zod';
import { Id } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { logger } from '../shared/logger.ts';
import { validate } from '../shared/validation.ts';

const OfferMissedDetail = z.object({ callId: Id, offerId: Id, agentId: Id, at: z.string() });

/**
 * Behind the OfferMissed rule: the interaction and the work item of a missed offer. Throwing makes
 * EventBridge retry (then dead-letter); repeats are harmless.
 */
export const handler = middy<EventBridgeEvent<'OfferMissed', unknown>, void>().handler(async (event) => {
  const detail = validate(OfferMissedDetail, event.detail);
  const recorded = await app().recordMissedOffer(detail);
  logger.info('missed offer recorded', { ...detail, ...recorded });
});
