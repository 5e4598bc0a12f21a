import { app } from '../shared/container.ts';
import { workflowTask } from '../shared/workflow.ts';
import { TokenTaskPayload } from './schemas.ts';

/** OfferToAgent (.waitForTaskToken): offers the call to the best free agent; the token waits for the answer. */
export const handler = workflowTask('OfferToAgent', TokenTaskPayload, ({ callId, taskToken, route }) =>
  app().offerToAgent(callId, taskToken, route),
);
