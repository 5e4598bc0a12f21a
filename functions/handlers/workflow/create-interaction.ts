import { app } from '../shared/container.ts';
import { workflowTask } from '../shared/workflow.ts';
import { CallTaskPayload } from './schemas.ts';

/** CreateInteraction: after the accept, the interaction and phone log (retried by the ASL, then deferred). */
export const handler = workflowTask('CreateInteraction', CallTaskPayload, ({ callId }) =>
  app().createInteraction(callId),
);
