import { app } from '../shared/container.ts';
import { workflowTask } from '../shared/workflow.ts';
import { CallErrorTaskPayload } from './schemas.ts';

/** InteractionDeferred: creation failed after its retries; the call goes on and the sweeper retries. */
export const handler = workflowTask('InteractionDeferred', CallErrorTaskPayload, ({ callId, error }) =>
  app().deferInteraction(callId, error?.Error ?? 'unknown error'),
);
