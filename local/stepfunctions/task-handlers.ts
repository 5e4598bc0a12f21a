import { type TaskStateInfo, taskTimeoutSeconds, withoutTimeoutParameter } from './asl.ts';
import type { ExecutionRecord, TaskHandlers } from './execution-run.ts';
import {
  ExecutionClosedError,
  registerToken,
  settleToken,
  type TaskTokenRecord,
  type TaskTokens,
} from './task-tokens.ts';
import { isObject } from './util.ts';

type JsonValue = Parameters<TaskHandlers[string]>[0];
type Tasks = Record<string, (payload: unknown) => Promise<unknown>>;

/** Told when a `.waitForTaskToken` state starts waiting on a token, and until when, so it can be saved. */
export type OnWait = (
  execution: ExecutionRecord,
  state: string,
  waiting: { token: string; deadline: number; registeredAt: number },
) => void;

/**
 * Returns the factory of one execution's Task overrides for the library, which call `tasks` the way Step
 * Functions calls Lambda: awaiting the result, or for `.waitForTaskToken` awaiting the token's answer.
 */
export function createTaskHandlers(
  taskStates: ReadonlyMap<string, TaskStateInfo>,
  tasks: Tasks,
  tokens: TaskTokens,
  onWait: OnWait,
): (execution: ExecutionRecord) => TaskHandlers {
  const missing = [...taskStates.keys()].filter((name) => typeof tasks[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(`No task function for Task state(s): ${missing.join(', ')}.`);
  }
  return (execution) => {
    const handlers: TaskHandlers = {};
    for (const [stateName, info] of taskStates) {
      handlers[stateName] = info.waitsForToken
        ? (input) => waitForTaskToken(tasks, tokens, onWait, { execution, stateName, input, info })
        : (input) => invokeTask(tasks, { execution, stateName, input, info });
    }
    return handlers;
  };
}

interface TaskCall {
  execution: ExecutionRecord;
  stateName: string;
  input: JsonValue;
  info: TaskStateInfo;
}

async function invokeTask(tasks: Tasks, { execution, stateName, input }: TaskCall) {
  assertRunning(execution);
  return Promise.race([callTask(tasks, stateName, withoutTimeoutParameter(input)), execution.ended.promise]);
}

async function waitForTaskToken(
  tasks: Tasks,
  tokens: TaskTokens,
  onWait: OnWait,
  { execution, stateName, input, info }: TaskCall,
) {
  assertRunning(execution);
  const resumed = execution.resumeWait;
  if (resumed?.state === stateName) {
    execution.resumeWait = undefined;
    return resumeWait(tokens, onWait, execution, resumed);
  }
  const payload = isObject(input) ? input.Payload : undefined;
  const token = isObject(payload) ? payload.taskToken : undefined;
  if (typeof token !== 'string') {
    throw new Error(`Task state ${stateName} did not receive a task token in Payload.taskToken.`);
  }
  // Registered before the invocation: a handler may complete its own token while it still runs.
  const record = registerToken(tokens, token, execution, stateName);
  const deadline = record.registeredAt + taskTimeoutSeconds(info, input) * 1000;
  onWait(execution, stateName, { token, deadline, registeredAt: record.registeredAt });
  // The invocation's own result is discarded, as AWS does; only its failure ends the task.
  callTask(tasks, stateName, payload).catch((error: unknown) => settleToken(record, { error }));
  return record.outcome.promise as Promise<JsonValue>;
}

/**
 * Takes up a wait that a restart interrupted: the task already ran (its offer is out, its token handed
 * over), so it is not invoked again; the same token is waited on until the same deadline, and then the
 * state times out as it would have (the library's own timer, restarted in full, comes later). The wait is
 * saved again, so that a second restart takes it up too.
 */
function resumeWait(
  tokens: TaskTokens,
  onWait: OnWait,
  execution: ExecutionRecord,
  resumed: { state: string; token: string; deadline: number },
) {
  const record: TaskTokenRecord = registerToken(tokens, resumed.token, execution, resumed.state);
  onWait(execution, resumed.state, {
    token: resumed.token,
    deadline: resumed.deadline,
    registeredAt: record.registeredAt,
  });
  const timer = setTimeout(
    () => settleToken(record, { error: statesTimeout() }),
    Math.max(0, resumed.deadline - Date.now()),
  );
  void record.outcome.promise.catch(() => undefined).finally(() => clearTimeout(timer));
  return record.outcome.promise as Promise<JsonValue>;
}

/** The error a Task state fails with when it runs out of time; ASL `Catch` blocks match its name. */
function statesTimeout(): Error {
  const error = new Error('The task did not answer within its timeout.');
  error.name = 'States.Timeout';
  return error;
}

async function callTask(tasks: Tasks, stateName: string, payload: unknown): Promise<JsonValue> {
  const task = tasks[stateName];
  try {
    if (!task) {
      throw new Error(`No task function for ${stateName}.`);
    }
    // Round-trip through JSON like a Lambda response; `undefined` becomes null as an empty payload does.
    return JSON.parse(JSON.stringify((await task(payload)) ?? null)) as JsonValue;
  } catch (error) {
    throw lambdaFailure(error);
  }
}

/** Shapes a task function's failure like a failed Lambda invoke: error = errorType, cause = the error JSON. */
function lambdaFailure(thrown: unknown): Error {
  const source = thrown instanceof Error ? thrown : new Error(String(thrown));
  const failure = new Error(
    JSON.stringify({
      errorMessage: source.message,
      errorType: source.name,
      trace: source.stack?.split('\n') ?? [],
    }),
  );
  failure.name = source.name;
  return failure;
}

function assertRunning(execution: ExecutionRecord) {
  // The library re-runs a retried state even after an abort, so a stopped execution must refuse new work.
  if (execution.status !== 'RUNNING') {
    throw new ExecutionClosedError();
  }
}
