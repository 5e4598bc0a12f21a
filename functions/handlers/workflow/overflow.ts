import { app } from '../shared/container.ts';
import { workflowTask } from '../shared/workflow.ts';
import { CallErrorTaskPayload } from './schemas.ts';

/** Overflow: the call leaves the queue unanswered, with a callback work item. */
export const handler = workflowTask('Overflow', CallErrorTaskPayload, ({ callId, error, route }) =>
  app().overflowCall(callId, error, route),
);
