import '../polyfills.ts';
import { StateMachine } from 'aws-local-stepfunctions';
import { createApiHandler } from './api.ts';
import { prepareDefinition } from './asl.ts';
import {
  createExecutions,
  describeExecution,
  listExecutions,
  startExecution,
  stopAllExecutions,
  stopExecution,
} from './executions.ts';
import { createTaskHandlers } from './task-handlers.ts';
import { sendTaskFailure, sendTaskHeartbeat, sendTaskSuccess, type TaskTokens } from './task-tokens.ts';
import { parseStateMachineArn } from './util.ts';

/**
 * A local AWS Step Functions service for one state machine: the ASL runs in aws-local-stepfunctions, and
 * `handle` answers the Step Functions JSON protocol (the `AWSStepFunctions.*` X-Amz-Target operations), so
 * the real `@aws-sdk/client-sfn` works against it unchanged.
 *
 * Known differences from AWS:
 * - `HeartbeatSeconds` / `HeartbeatSecondsPath` are not enforced: SendTaskHeartbeat only checks the token.
 * - `TimeoutSecondsPath` is resolved against the state's effective input (after `InputPath`); the ASL here
 *   has no `InputPath`, where both are the same.
 * - `waitForTaskToken` inside a Map iteration gets no token invalidation when its attempt times out, only
 *   when the execution ends (the library reports Map iterations under shared state names).
 * - No execution history, no `Lambda.*` service errors, no 90-day retention: executions live in memory.
 */

export interface LocalStepFunctionsOptions {
  /** Parsed ASL definition. */
  definition: unknown;
  stateMachineArn: string; // e.g. 'arn:aws:states:us-east-1:000000000000:stateMachine:RouteCall'
  /** One function per Task state name: invokes the Lambda handler behind that state with its payload. Throwing an Error whose `name` is X makes the state fail with error X (what ASL Catch/Retry match). */
  tasks: Record<string, (payload: unknown) => Promise<unknown>>;
  /** Called when an execution ends (for logs/tests). Optional. */
  onExecutionEnd?: (e: {
    executionArn: string;
    name: string;
    status: 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
    output?: unknown;
    error?: string;
    cause?: string;
  }) => void;
}

export interface LocalStepFunctions {
  /** Handles one JSON-protocol call; `operation` is the part after 'AWSStepFunctions.' in the X-Amz-Target header. Returns HTTP status and JSON body. Errors are { status: 400, body: { __type: 'TaskDoesNotExist', message } } etc. */
  handle(operation: string, body: unknown): Promise<{ status: number; body: unknown }>;
  /** Aborts every running execution and clears timers. */
  close(): Promise<void>;
}

export function createLocalStepFunctions(options: LocalStepFunctionsOptions): LocalStepFunctions {
  const stateMachine = parseStateMachineArn(options.stateMachineArn);
  const { definition, taskStates } = prepareDefinition(options.definition);
  const tokens: TaskTokens = new Map();
  const handlersFor = createTaskHandlers(taskStates, options.tasks, tokens);
  const machine = new StateMachine(definition);
  const executions = createExecutions({
    machine,
    stateMachine,
    handlersFor,
    onExecutionEnd: options.onExecutionEnd,
  });

  return {
    handle: createApiHandler({
      StartExecution: (body) => startExecution(executions, body),
      SendTaskSuccess: (body) => sendTaskSuccess(tokens, body),
      SendTaskFailure: (body) => sendTaskFailure(tokens, body),
      SendTaskHeartbeat: (body) => sendTaskHeartbeat(tokens, body),
      DescribeExecution: (body) => describeExecution(executions, body),
      StopExecution: (body) => stopExecution(executions, body),
      ListExecutions: (body) => listExecutions(executions, body),
    }),

    async close() {
      stopAllExecutions(executions);
      // Lets the library see the rejected tasks and clear its per-task timeout timers.
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}
