import {
  ExecutionAlreadyExists,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import type { WorkflowCallbacks, WorkflowInput, WorkflowStarter } from '../core/ports.ts';

/** A token that is no longer waited on: the task timed out, was answered, or its execution ended. */
function isStaleToken(err: unknown): boolean {
  return err instanceof TaskTimedOut || err instanceof TaskDoesNotExist || err instanceof InvalidToken;
}

/** Step Functions task callbacks (SendTaskSuccess / SendTaskFailure). */
export function makeWorkflowCallbacks(client: SFNClient): WorkflowCallbacks {
  return {
    async succeed(taskToken, output) {
      try {
        await client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
        return true;
      } catch (err) {
        if (isStaleToken(err)) return false;
        throw err;
      }
    },
    async fail(taskToken, error, cause) {
      try {
        await client.send(new SendTaskFailureCommand({ taskToken, error, cause: cause.slice(0, 32_000) }));
        return true;
      } catch (err) {
        if (isStaleToken(err)) return false;
        throw err;
      }
    },
  };
}

/**
 * Starts the route-call workflow with the call id as execution name: Step Functions Standard refuses a
 * second execution of the same name, which makes a duplicate start a no-op.
 */
export function makeWorkflowStarter(client: SFNClient, stateMachineArn: () => string): WorkflowStarter {
  return {
    async start(input: WorkflowInput) {
      try {
        await client.send(
          new StartExecutionCommand({
            stateMachineArn: stateMachineArn(),
            name: input.route ? `${input.callId}-r${input.route}` : input.callId,
            input: JSON.stringify(input),
          }),
        );
      } catch (err) {
        if (!(err instanceof ExecutionAlreadyExists)) throw err;
      }
    },
  };
}
