import '../polyfills.ts';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { createApiHandler } from '../aws-json-api.ts';
import { prepareDefinition } from './asl.ts';
import { type MachineRuntime, saveWait } from './execution-run.ts';
import {
  createExecutions,
  describeExecution,
  listExecutions,
  resumeExecutions,
  startExecution,
  stopAllExecutions,
  stopExecution,
} from './executions.ts';
import { createExecutionStore } from './persistence.ts';
import { createTaskHandlers } from './task-handlers.ts';
import { createTaskTokens, sendTaskFailure, sendTaskHeartbeat, sendTaskSuccess } from './task-tokens.ts';
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
 * - No execution history and no `Lambda.*` service errors. Ended executions are kept for DescribeExecution
 *   and ListExecutions only up to the most recent thousand (their names, refused to a new execution, up to
 *   the most recent hundred thousand), not 90 days.
 * - Given a `dataDir`, running executions are saved there at every state they enter and every token they
 *   wait on, and `resume` takes them up after a restart: a waiting state keeps its token and its deadline,
 *   any other state runs again (at least once, as Lambda retries do). Without one, they live in memory.
 */

export interface LocalStepFunctionsOptions {
  /** Parsed ASL definition. */
  definition: unknown;
  stateMachineArn: string; // e.g. 'arn:aws:states:us-east-1:000000000000:stateMachine:RouteCall'
  /** One function per Task state name: invokes the Lambda handler behind that state with its payload. Throwing an Error whose `name` is X makes the state fail with error X (what ASL Catch/Retry match). */
  tasks: Record<string, (payload: unknown) => Promise<unknown>>;
  /** Keep running executions on disk here, to take them up again after a restart. */
  dataDir?: string;
  /** Failures of the runtime itself, such as an execution that could not be saved. */
  onError?: (message: string, error: unknown) => void;
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
  /** Takes up the executions saved in `dataDir` by an earlier runtime (none without one). */
  resume(): Promise<number>;
  /** State transitions since the service started or `transitions(true)`, which starts a new count. */
  transitions(reset?: boolean): number;
  /** Stops every running execution and clears timers; saved ones stay saved, to be resumed. */
  close(): Promise<void>;
}

export function createLocalStepFunctions(options: LocalStepFunctionsOptions): LocalStepFunctions {
  const stateMachine = parseStateMachineArn(options.stateMachineArn);
  const { definition, taskStates } = prepareDefinition(options.definition);
  const tokens = createTaskTokens();
  const store = options.dataDir
    ? createExecutionStore(join(options.dataDir, 'stepfunctions'), (error) =>
        options.onError?.('a Step Functions execution could not be saved', error),
      )
    : undefined;
  const machines = new Map<string, StateMachine>();
  const machineFor = (startAt = definition.StartAt) => {
    let machine = machines.get(startAt);
    if (!machine) {
      machine = new StateMachine({ ...definition, StartAt: startAt });
      machines.set(startAt, machine);
    }
    return machine;
  };
  const runtime: MachineRuntime = {
    machineFor,
    startAt: definition.StartAt,
    stateMachine,
    handlersFor: createTaskHandlers(taskStates, options.tasks, tokens, (execution, state, waiting) =>
      saveWait(runtime, execution, state, waiting),
    ),
    onExecutionEnd: options.onExecutionEnd,
    store,
    counts: { transitions: 0 },
  };
  const executions = createExecutions(runtime);

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

    async resume() {
      const saved = (await store?.load()) ?? [];
      resumeExecutions(executions, saved);
      return saved.length;
    },

    transitions(reset = false) {
      const { transitions } = runtime.counts;
      if (reset) runtime.counts.transitions = 0;
      return transitions;
    },

    async close() {
      stopAllExecutions(executions);
      // Lets the library see the rejected tasks and clear its per-task timeout timers.
      await new Promise((resolve) => setImmediate(resolve));
      await store?.flush();
    },
  };
}
