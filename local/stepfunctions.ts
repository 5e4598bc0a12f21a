import './polyfills.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';

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

type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type JsonValue = Parameters<TaskHandlers[string]>[0];
type RunContext = NonNullable<RunOptions['context']>;
type Run = ReturnType<StateMachine['run']>;
type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
type EndStatus = Exclude<ExecutionStatus, 'RUNNING'>;
type JsonObject = Record<string, unknown>;

interface ExecutionRecord {
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
  pendingTokens: Set<TaskTokenRecord>;
}

interface TaskTokenRecord {
  execution: ExecutionRecord;
  stateName: string;
  /** Date.now() like the library's event timestamps, which it is compared with. */
  registeredAt: number;
  status: 'pending' | 'closed';
  outcome: PromiseWithResolvers<unknown>;
}

interface TaskStateInfo {
  waitsForToken: boolean;
}

/**
 * aws-local-stepfunctions evaluates `TimeoutSecondsPath` against the task's Parameters output instead of the
 * state input, so `$.offerTimeoutSeconds` would not resolve. The rewritten definition copies the value into
 * the Parameters under this key, points `TimeoutSecondsPath` at it, and the overrides strip it again.
 */
const TIMEOUT_PARAMETER = '__localTimeoutSeconds';
const WAIT_FOR_TASK_TOKEN = '.waitForTaskToken';
const TOKEN_PATH = '$$.Task.Token';
const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT'];
const DEFAULT_PAGE_SIZE = 100;

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

/**
 * Rejects the library's view of a task whose execution has already ended. The library reads `isRetryable`
 * and `isCatchable` off any error, so neither a Retry nor a Catch (States.ALL included) can resume it.
 */
class ExecutionClosedError extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor() {
    super('The execution has ended.');
    this.name = 'ExecutionClosed';
  }
}

export function createLocalStepFunctions(options: LocalStepFunctionsOptions): LocalStepFunctions {
  const arn = parseStateMachineArn(options.stateMachineArn);
  const definition = structuredClone(options.definition);
  if (!isObject(definition) || !isObject(definition.States)) {
    throw new Error('The state machine definition must be an object with States.');
  }
  const taskStates = prepareTaskStates(definition.States, new Map());
  const missing = [...taskStates.keys()].filter((name) => typeof options.tasks[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(`No task function for Task state(s): ${missing.join(', ')}.`);
  }
  const machine = new StateMachine(definition as unknown as StateMachineDefinition);
  const executions = new Map<string, ExecutionRecord>();
  const tokens = new Map<string, TaskTokenRecord>();

  function start(body: JsonObject) {
    requireStateMachine(optionalString(body, 'stateMachineArn'));
    const name = optionalString(body, 'name') ?? randomUUID();
    if (!isValidName(name)) {
      throw new ApiError('InvalidName', `Invalid Name: '${name}'`);
    }
    const input = optionalString(body, 'input') ?? '{}';
    const parsedInput = parseJson(input);
    if (!isObject(parsedInput)) {
      throw new ApiError(
        'InvalidExecutionInput',
        'Invalid State Machine Execution Input: must be a JSON object',
      );
    }
    const executionArn = `arn:${arn.partition}:states:${arn.region}:${arn.account}:execution:${arn.name}:${name}`;
    const existing = executions.get(executionArn);
    if (existing) {
      // Like AWS: repeating a StartExecution for a running execution with the same input is idempotent.
      if (existing.status === 'RUNNING' && existing.input === input) {
        return { executionArn, startDate: epochSeconds(existing.startDate) };
      }
      throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }

    const ended = Promise.withResolvers<never>();
    ended.promise.catch(ignore);
    const execution: ExecutionRecord = {
      executionArn,
      name,
      input,
      startDate: new Date(),
      status: 'RUNNING',
      abortRun: ignore,
      ended,
      pendingTokens: new Set(),
    };
    executions.set(executionArn, execution);

    const context: RunContext = {
      Execution: { Id: executionArn, Name: name },
      StateMachine: { Id: options.stateMachineArn, Name: arn.name },
      // The library has no task tokens; it resolves `$$.Task.Token` from this object on every evaluation.
      Task: {
        get Token() {
          return randomBytes(48).toString('base64url');
        },
      },
    };
    const run = machine.run(parsedInput as JsonValue, {
      context,
      overrides: { taskResourceLocalHandlers: taskHandlers(execution) },
    });
    execution.abortRun = run.abort;
    void watchStateEnds(execution, run.eventLogs);
    run.result.then(
      (output) => finish(execution, 'SUCCEEDED', { output }),
      (error: unknown) => finishWithError(execution, error),
    );
    return { executionArn, startDate: epochSeconds(execution.startDate) };
  }

  function taskHandlers(execution: ExecutionRecord): TaskHandlers {
    const handlers: TaskHandlers = {};
    for (const [stateName, info] of taskStates) {
      handlers[stateName] = info.waitsForToken
        ? (input) => waitForTaskToken(execution, stateName, input)
        : (input) => invokeTask(execution, stateName, input);
    }
    return handlers;
  }

  async function invokeTask(execution: ExecutionRecord, stateName: string, input: JsonValue) {
    assertRunning(execution);
    return Promise.race([callTask(stateName, withoutTimeoutParameter(input)), execution.ended.promise]);
  }

  async function waitForTaskToken(execution: ExecutionRecord, stateName: string, input: JsonValue) {
    assertRunning(execution);
    const payload = isObject(input) ? input.Payload : undefined;
    const token = isObject(payload) ? payload.taskToken : undefined;
    if (typeof token !== 'string') {
      throw new Error(`Task state ${stateName} did not receive a task token in Payload.taskToken.`);
    }
    const record: TaskTokenRecord = {
      execution,
      stateName,
      registeredAt: Date.now(),
      status: 'pending',
      outcome: Promise.withResolvers<unknown>(),
    };
    record.outcome.promise.catch(ignore);
    // Registered before the invocation: a handler may complete its own token while it still runs.
    tokens.set(token, record);
    execution.pendingTokens.add(record);
    // The invocation's own result is discarded, as AWS does; only its failure ends the task.
    callTask(stateName, payload).catch((error: unknown) => settle(record, { error }));
    return record.outcome.promise as Promise<JsonValue>;
  }

  async function callTask(stateName: string, payload: unknown): Promise<JsonValue> {
    const task = options.tasks[stateName];
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

  function settle(record: TaskTokenRecord, result: { output: unknown } | { error: unknown }): boolean {
    if (record.status !== 'pending') {
      return false;
    }
    record.status = 'closed';
    record.execution.pendingTokens.delete(record);
    if ('output' in result) {
      record.outcome.resolve(result.output);
    } else {
      record.outcome.reject(result.error);
    }
    return true;
  }

  /**
   * The library enforces task timeouts itself and reports them only as events, so a token whose attempt
   * timed out is closed from the event stream. Events arrive a few microtasks late, by when a retry or a
   * Catch back into the same state may have registered a new token; the timestamp keeps that one open
   * (a timed-out attempt is at least a second older than the event that ends it).
   */
  async function watchStateEnds(execution: ExecutionRecord, events: Run['eventLogs']) {
    try {
      for await (const event of events) {
        if ((event.type === 'StateFailed' || event.type === 'StateExited') && event.index === undefined) {
          for (const record of [...execution.pendingTokens]) {
            if (record.stateName === event.state.name && record.registeredAt < event.timestamp) {
              settle(record, { error: new ExecutionClosedError() });
            }
          }
        }
      }
    } catch {
      // The generator only reads an in-memory queue; finish() closes whatever it would have closed.
    }
  }

  function finishWithError(execution: ExecutionRecord, error: unknown) {
    if (error instanceof ExecutionAbortedError) {
      finish(execution, 'ABORTED', {});
    } else if (error instanceof ExecutionTimeoutError) {
      finish(execution, 'TIMED_OUT', {
        error: 'States.Timeout',
        cause: 'The execution ran longer than its TimeoutSeconds.',
      });
    } else {
      const failure = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
      finish(execution, 'FAILED', {
        error: failure instanceof Error ? failure.name : 'States.Runtime',
        cause: failure instanceof Error ? failure.message : String(failure),
      });
    }
  }

  function finish(
    execution: ExecutionRecord,
    status: EndStatus,
    details: { output?: unknown; error?: string; cause?: string },
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
    for (const record of [...execution.pendingTokens]) {
      settle(record, { error: new ExecutionClosedError() });
    }
    execution.ended.reject(new ExecutionClosedError());
    try {
      options.onExecutionEnd?.({
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

  function stop(execution: ExecutionRecord, error?: string, cause?: string) {
    if (execution.status !== 'RUNNING') {
      return;
    }
    finish(execution, 'ABORTED', { error, cause });
    execution.abortRun();
  }

  function pendingToken(body: JsonObject): TaskTokenRecord {
    const token = optionalString(body, 'taskToken');
    const record = token === undefined ? undefined : tokens.get(token);
    if (!record) {
      throw new ApiError('InvalidToken', 'Invalid Token');
    }
    if (record.status !== 'pending') {
      // What AWS answers once the task behind a token has timed out or closed.
      throw new ApiError('TaskTimedOut', 'Task Timed Out');
    }
    return record;
  }

  function sendTaskSuccess(body: JsonObject) {
    const outputText = optionalString(body, 'output');
    if (outputText === undefined) {
      throw validationError('output');
    }
    let output: unknown;
    try {
      output = JSON.parse(outputText);
    } catch {
      throw new ApiError('InvalidOutput', 'Invalid Output: the output is not valid JSON');
    }
    settle(pendingToken(body), { output });
    return {};
  }

  function sendTaskFailure(body: JsonObject) {
    const error = optionalString(body, 'error');
    const cause = optionalString(body, 'cause');
    const record = pendingToken(body);
    const failure = new Error(cause ?? '');
    failure.name = error ?? '';
    settle(record, { error: failure });
    return {};
  }

  function describe(body: JsonObject) {
    const execution = requireExecution(body);
    return {
      executionArn: execution.executionArn,
      stateMachineArn: options.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: epochSeconds(execution.startDate),
      ...(execution.stopDate ? { stopDate: epochSeconds(execution.stopDate) } : {}),
      input: execution.input,
      inputDetails: { included: true },
      ...(execution.output === undefined
        ? {}
        : { output: execution.output, outputDetails: { included: true } }),
      ...(execution.error === undefined ? {} : { error: execution.error }),
      ...(execution.cause === undefined ? {} : { cause: execution.cause }),
    };
  }

  function list(body: JsonObject) {
    requireStateMachine(optionalString(body, 'stateMachineArn'));
    const statusFilter = optionalString(body, 'statusFilter');
    if (statusFilter !== undefined && !STATUSES.includes(statusFilter as ExecutionStatus)) {
      throw validationError('statusFilter');
    }
    const maxResults = body.maxResults ?? 0;
    if (
      typeof maxResults !== 'number' ||
      !Number.isInteger(maxResults) ||
      maxResults < 0 ||
      maxResults > 1000
    ) {
      throw validationError('maxResults');
    }
    const nextToken = optionalString(body, 'nextToken');
    const offset = nextToken === undefined ? 0 : Number(nextToken);
    if (!Number.isInteger(offset) || offset < 0) {
      throw new ApiError('InvalidToken', 'Invalid pagination token');
    }
    const matching = [...executions.values()]
      .filter((execution) => statusFilter === undefined || execution.status === statusFilter)
      .reverse();
    const pageSize = maxResults === 0 ? DEFAULT_PAGE_SIZE : maxResults;
    const page = matching.slice(offset, offset + pageSize);
    return {
      executions: page.map((execution) => ({
        executionArn: execution.executionArn,
        stateMachineArn: options.stateMachineArn,
        name: execution.name,
        status: execution.status,
        startDate: epochSeconds(execution.startDate),
        ...(execution.stopDate ? { stopDate: epochSeconds(execution.stopDate) } : {}),
      })),
      ...(offset + pageSize < matching.length ? { nextToken: String(offset + pageSize) } : {}),
    };
  }

  function requireStateMachine(stateMachineArn: string | undefined) {
    if (stateMachineArn === undefined) {
      throw validationError('stateMachineArn');
    }
    if (stateMachineArn !== options.stateMachineArn) {
      throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    }
  }

  function requireExecution(body: JsonObject): ExecutionRecord {
    const executionArn = optionalString(body, 'executionArn');
    if (executionArn === undefined) {
      throw validationError('executionArn');
    }
    if (!executionArn.startsWith('arn:')) {
      throw new ApiError('InvalidArn', `Invalid Arn: '${executionArn}'`);
    }
    const execution = executions.get(executionArn);
    if (!execution) {
      throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    }
    return execution;
  }

  function dispatch(operation: string, body: JsonObject): unknown {
    switch (operation) {
      case 'StartExecution':
        return start(body);
      case 'SendTaskSuccess':
        return sendTaskSuccess(body);
      case 'SendTaskFailure':
        return sendTaskFailure(body);
      case 'SendTaskHeartbeat':
        // HeartbeatSeconds is not emulated, so a heartbeat only proves the token is still pending.
        pendingToken(body);
        return {};
      case 'DescribeExecution':
        return describe(body);
      case 'StopExecution': {
        const execution = requireExecution(body);
        stop(execution, optionalString(body, 'error'), optionalString(body, 'cause'));
        return { stopDate: epochSeconds(execution.stopDate ?? new Date()) };
      }
      case 'ListExecutions':
        return list(body);
      default:
        throw new ApiError('UnknownOperationException', `Unknown operation: ${operation}`);
    }
  }

  return {
    async handle(operation, body) {
      try {
        return { status: 200, body: dispatch(operation, requestObject(body)) };
      } catch (error) {
        if (error instanceof ApiError) {
          return { status: error.status, body: { __type: error.type, message: error.message } };
        }
        const message = error instanceof Error ? error.message : String(error);
        return { status: 500, body: { __type: 'InternalFailure', message } };
      }
    },

    async close() {
      for (const execution of executions.values()) {
        stop(execution);
      }
      // Lets the library see the rejected tasks and clear its per-task timeout timers.
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

/**
 * Walks the States (into Parallel branches and Map processors, whose state names share one namespace),
 * checks what the overrides rely on, and applies the `TimeoutSecondsPath` rewrite in place.
 */
function prepareTaskStates(
  states: JsonObject,
  found: Map<string, TaskStateInfo>,
): Map<string, TaskStateInfo> {
  for (const [name, state] of Object.entries(states)) {
    if (!isObject(state)) {
      continue;
    }
    const nested = [
      ...(Array.isArray(state.Branches) ? state.Branches : []),
      state.Iterator,
      state.ItemProcessor,
    ];
    for (const machine of nested) {
      if (isObject(machine) && isObject(machine.States)) {
        prepareTaskStates(machine.States, found);
      }
    }
    if (state.Type !== 'Task') {
      continue;
    }
    const waitsForToken = typeof state.Resource === 'string' && state.Resource.endsWith(WAIT_FOR_TASK_TOKEN);
    if (waitsForToken) {
      const payload = isObject(state.Parameters) ? state.Parameters.Payload : undefined;
      if (!isObject(payload) || payload['taskToken.$'] !== TOKEN_PATH) {
        throw new Error(
          `Task state ${name} waits for a task token but does not pass ${TOKEN_PATH} as Payload.taskToken.`,
        );
      }
    }
    if (typeof state.TimeoutSecondsPath === 'string' && isObject(state.Parameters)) {
      state.Parameters = { ...state.Parameters, [`${TIMEOUT_PARAMETER}.$`]: state.TimeoutSecondsPath };
      state.TimeoutSecondsPath = `$.${TIMEOUT_PARAMETER}`;
    }
    found.set(name, { waitsForToken });
  }
  return found;
}

function withoutTimeoutParameter(input: JsonValue): unknown {
  if (!isObject(input) || !(TIMEOUT_PARAMETER in input)) {
    return input;
  }
  const { [TIMEOUT_PARAMETER]: _timeout, ...rest } = input;
  return rest;
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

function parseStateMachineArn(stateMachineArn: string) {
  const [prefix, partition, service, region, account, resource, name, ...rest] = stateMachineArn.split(':');
  if (
    prefix !== 'arn' ||
    !partition ||
    service !== 'states' ||
    !region ||
    !account ||
    resource !== 'stateMachine' ||
    !name ||
    rest.length > 0
  ) {
    throw new Error(`Not a state machine ARN: ${stateMachineArn}`);
  }
  return { partition, region, account, name };
}

function requestObject(body: unknown): JsonObject {
  if (body === undefined || body === null || body === '') {
    return {};
  }
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      throw new ApiError('SerializationException', 'The request body is not valid JSON.');
    }
  }
  if (!isObject(value)) {
    throw new ApiError('SerializationException', 'The request body must be a JSON object.');
  }
  return value;
}

function optionalString(body: JsonObject, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw validationError(key);
  }
  return value;
}

function validationError(key: string) {
  return new ApiError(
    'ValidationException',
    `1 validation error detected: Value at '${key}' failed to satisfy constraint`,
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not valid JSON');
  }
}

/** AWS execution names: 1-80 characters, no whitespace, brackets, wildcards, control or listed specials. */
function isValidName(name: string): boolean {
  if (name.length < 1 || name.length > 80 || /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/.test(name)) {
    return false;
  }
  return [...name].every((char) => {
    const code = char.codePointAt(0) ?? 0;
    return code > 0x1f && (code < 0x7f || code > 0x9f);
  });
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

function ignore() {}
