import { randomBytes } from 'node:crypto';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  type StateMachine,
} from 'aws-local-stepfunctions';
import type { ExecutionStore, SavedExecution } from './persistence.ts';
import { closePendingTokens, ExecutionClosedError, type TokenScope, watchStateEnds } from './task-tokens.ts';
import { ignore, type JsonObject, type StateMachineArn } from './util.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
type EndStatus = Exclude<ExecutionStatus, 'RUNNING'>;
type EndDetails = { output?: unknown; error?: string; cause?: string };
type RunContext = NonNullable<RunOptions['context']>;
type JsonValue = Parameters<StateMachine['run']>[0];
type EventLogs = ReturnType<StateMachine['run']>['eventLogs'];

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
  /** Where it is, as last saved; present while it runs and a store keeps executions. */
  saved?: SavedExecution;
  /** The wait to take up again, instead of invoking the task, when a restarted execution enters it. */
  resumeWait?: { state: string; token: string; deadline: number };
  /** The runtime shut down under it: it stays RUNNING on disk, to go on after a restart. */
  suspended?: boolean;
}

/** What running executions need: the machine, its identity, its Task overrides and the end listener. */
export interface MachineRuntime {
  /** The machine, starting at its own StartAt, or at the state a restarted execution was in. */
  readonly machineFor: (startAt?: string) => StateMachine;
  /** The definition's own StartAt. */
  readonly startAt: string;
  readonly stateMachine: StateMachineArn;
  readonly handlersFor: (execution: ExecutionRecord) => TaskHandlers;
  readonly onExecutionEnd: ((end: ExecutionEnd) => void) | undefined;
  readonly store: ExecutionStore | undefined;
  /** State transitions since the last reset, as Step Functions bills them. */
  readonly counts: { transitions: number };
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

/**
 * Runs an execution from its start, or, when it was saved before a restart, from where it was. Resolves
 * once a new execution is on disk (when a store keeps executions): StartExecution answers only then, so an
 * execution it reported started outlives a crash right after.
 */
export function runExecution(
  runtime: MachineRuntime,
  execution: ExecutionRecord,
  input: JsonObject,
  from?: SavedExecution,
): Promise<void> {
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
  if (from?.waiting) {
    execution.resumeWait = { state: from.state, token: from.waiting.token, deadline: from.waiting.deadline };
  }
  // Saved before anything runs, so that the task waits saved next build on it.
  const saved = from ? Promise.resolve() : saveState(runtime, execution, runtime.startAt, input, Date.now());
  const run = runtime.machineFor(from?.state).run((from?.stateInput ?? input) as JsonValue, {
    context,
    overrides: { taskResourceLocalHandlers: runtime.handlersFor(execution) },
  });
  execution.abortRun = run.abort;
  void watchStateEnds(
    execution,
    run.eventLogs,
    (state, stateInput, enteredAt) => saveState(runtime, execution, state, stateInput, enteredAt),
    () => runtime.counts.transitions++,
  );
  run.result.then(
    (output) => finishExecution(runtime, execution, 'SUCCEEDED', { output }),
    (error: unknown) => finishExecution(runtime, execution, ...failedRunEnd(error)),
  );
  return saved;
}

/** Saves the state a running execution entered (the library reports it a few microtasks late). */
function saveState(
  runtime: MachineRuntime,
  execution: ExecutionRecord,
  state: string,
  stateInput: unknown,
  enteredAt: number,
): Promise<void> {
  if (!runtime.store || execution.status !== 'RUNNING' || execution.suspended) return Promise.resolve();
  const previous = execution.saved;
  // A wait registered after this entry belongs to it; an older one ended with the state it was in.
  const waiting =
    previous?.waiting && previous.state === state && previous.waiting.registeredAt >= enteredAt
      ? previous.waiting
      : undefined;
  execution.saved = {
    executionArn: execution.executionArn,
    name: execution.name,
    input: execution.input,
    startDate: execution.startDate.toISOString(),
    state,
    stateInput,
    enteredAt,
    ...(waiting ? { waiting } : {}),
  };
  return runtime.store.save(execution.saved);
}

/** Saves the token a `.waitForTaskToken` state of a running execution now waits on, and until when. */
export function saveWait(
  runtime: MachineRuntime,
  execution: ExecutionRecord,
  state: string,
  waiting: { token: string; deadline: number; registeredAt: number },
) {
  if (!runtime.store || execution.status !== 'RUNNING' || execution.suspended) return;
  const base = execution.saved ?? {
    executionArn: execution.executionArn,
    name: execution.name,
    input: execution.input,
    startDate: execution.startDate.toISOString(),
    state,
    stateInput: JSON.parse(execution.input) as unknown,
    enteredAt: waiting.registeredAt,
  };
  execution.saved = { ...base, state, waiting };
  void runtime.store.save(execution.saved);
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

/**
 * Stops an execution's run because the runtime shuts down, without ending the execution: its saved state
 * stays, and a restart with the same store takes it up again.
 */
export function suspendExecution(execution: ExecutionRecord) {
  if (execution.status !== 'RUNNING') return;
  execution.suspended = true;
  closePendingTokens(execution);
  execution.ended.reject(new ExecutionClosedError());
  execution.abortRun();
}

function finishExecution(
  runtime: MachineRuntime,
  execution: ExecutionRecord,
  status: EndStatus,
  details: EndDetails,
) {
  if (execution.status !== 'RUNNING' || execution.suspended) {
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
  execution.saved = undefined;
  runtime.store?.forget(execution.executionArn);
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

export type { EventLogs };
