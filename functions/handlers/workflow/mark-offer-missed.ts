import { app } from '../shared/container.ts';
import { workflowTask } from '../shared/workflow.ts';
import { CallTaskPayload } from './schemas.ts';

/** MarkOfferMissed: the offer timed out; returns the outcome that stands ({outcome}) for WasOfferAnswered. */
export const handler = workflowTask('MarkOfferMissed', CallTaskPayload, ({ callId, route }) =>
  app().markOfferMissed(callId, route),
);
