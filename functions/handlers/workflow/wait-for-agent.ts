import { app } from '../shared/container.ts';
import { workflowTask } from '../shared/workflow.ts';
import { TokenTaskPayload } from './schemas.ts';

/** WaitForAgent (.waitForTaskToken): parks the call until an agent becomes available. */
export const handler = workflowTask('WaitForAgent', TokenTaskPayload, ({ callId, taskToken, route }) =>
  app().waitForAgent(callId, taskToken, route),
);
