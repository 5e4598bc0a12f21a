import { app } from '../shared/container.ts';
import { workflowTask } from '../shared/workflow.ts';
import { CallTaskPayload } from './schemas.ts';

/**
 * RecordMissedOffer: the offer timed out; it ends missed and `call.offer_missed` is published (its rule
 * creates the work item). Returns the outcome that stands ({outcome}) for WasOfferAnswered.
 */
export const handler = workflowTask('RecordMissedOffer', CallTaskPayload, ({ callId, route }) =>
  app().recordMissedOffer(callId, route),
);
