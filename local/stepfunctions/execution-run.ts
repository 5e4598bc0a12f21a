import { randomBytes } from 'node:crypto';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  type StateMachine,
} from 'aws-local-stepfunctions';
import { closePendingTokens, ExecutionClosedError, type TokenScope, watchStateEnds } from './task-tokens.ts';
import { ignore, type JsonObject, type StateMachineArn } from './util.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
type EndStatus = Exclude<ExecutionStatus, 'RUNNING'>;
type EndDetails = { output?: unknown; error?: string; cause?: string };
type RunContext = NonNullable<RunOptions['context']>;
type JsonValue = Parameters<StateMachine['run']>[0];

/** The Task overrides a run takes, by Task state name. */
export type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

/** What `onExecutionEnd` hears. */
export interface ExecutionEnd {
  executionArn: string;
  name: string;
  status: EndStatus;
  output?: unknown;
  error?: string;
  cause?: string;
}

export interface ExecutionRecord extends TokenScope {
  executionArn: string;
  name: string;
  input: string;
  startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: string;
  outputValue?: unknown;
  error?: string;
  cause?: string;
  abortRun: () => void;
  /** Rejected when the execution ends, so a task invocation still in flight stops holding its state open. */
  ended: PromiseWithResolvers<never>;
}

/** What running executions need: the machine, its identity, its Task overrides and the end listener. */
export interface MachineRuntime {
  readonly machine: StateMachine;
  readonly stateMachine: StateMachineArn;
  readonly handlersFor: (execution: ExecutionRecord) => TaskHandlers;
  readonly onExecutionEnd: ((end: ExecutionEnd) => void) | undefined;
}

export function newExecutionRecord(executionArn: string, name: string, input: string): ExecutionRecord {
  const ended = Promise.withResolvers<never>();
  ended.promise.catch(ignore);
  return {
    executionArn,
    name,
    input,
    startDate: new Date(),
    status: 'RUNNING',
    abortRun: ignore,
    ended,
    pendingTokens: new Set(),
  };
}

export function runExecution(runtime: MachineRuntime, execution: ExecutionRecord, input: JsonObject) {
  const context: RunContext = {
    Execution: { Id: execution.executionArn, Name: execution.name },
    StateMachine: { Id: runtime.stateMachine.arn, Name: runtime.stateMachine.name },
    // The library has no task tokens; it resolves `$$.Task.Token` from this object on every evaluation.
    Task: {
      get Token() {
        return randomBytes(48).toString('base64url');
      },
    },
  };
  const run = runtime.machine.run(input as JsonValue, {
    context,
    overrides: { taskResourceLocalHandlers: runtime.handlersFor(execution) },
  });
  execution.abortRun = run.abort;
  void watchStateEnds(execution, run.eventLogs);
  run.result.then(
    (output) => finishExecution(runtime, execution, 'SUCCEEDED', { output }),
    (error: unknown) => finishExecution(runtime, execution, ...failedRunEnd(error)),
  );
}

export function abortExecution(
  runtime: MachineRuntime,
  execution: ExecutionRecord,
  error?: string,
  cause?: string,
) {
  if (execution.status !== 'RUNNING') {
    return;
  }
  finishExecution(runtime, execution, 'ABORTED', { error, cause });
  execution.abortRun();
}

function finishExecution(
  runtime: MachineRuntime,
  execution: ExecutionRecord,
  status: EndStatus,
  details: EndDetails,
) {
  if (execution.status !== 'RUNNING') {
    return;
  }
  execution.status = status;
  execution.stopDate = new Date();
  if (status === 'SUCCEEDED') {
    execution.outputValue = details.output ?? null;
    execution.output = JSON.stringify(execution.outputValue);
  }
  execution.error = details.error;
  execution.cause = details.cause;
  closePendingTokens(execution);
  execution.ended.reject(new ExecutionClosedError());
  try {
    runtime.onExecutionEnd?.({
      executionArn: execution.executionArn,
      name: execution.name,
      status,
      ...(status === 'SUCCEEDED' ? { output: execution.outputValue } : {}),
      ...(details.error === undefined ? {} : { error: details.error }),
      ...(details.cause === undefined ? {} : { cause: details.cause }),
    });
  } catch {
    // A listener is for observation only; its failure must not fail the execution or escape unhandled.
  }
}

/** How an execution whose run rejected ends: stopped, timed out, or failed with the state's error. */
function failedRunEnd(error: unknown): [EndStatus, EndDetails] {
  if (error instanceof ExecutionAbortedError) {
    return ['ABORTED', {}];
  }
  if (error instanceof ExecutionTimeoutError) {
    return [
      'TIMED_OUT',
      { error: 'States.Timeout', cause: 'The execution ran longer than its TimeoutSeconds.' },
    ];
  }
  const failure = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
  return [
    'FAILED',
    {
      error: failure instanceof Error ? failure.name : 'States.Runtime',
      cause: failure instanceof Error ? failure.message : String(failure),
    },
  ];
}
