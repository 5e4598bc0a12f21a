import type { StateMachine } from 'aws-local-stepfunctions';
import { ApiError, optionalString, validationError } from './api.ts';
import { ignore, type JsonObject } from './util.ts';

type EventLogs = ReturnType<StateMachine['run']>['eventLogs'];

/**
 * Rejects the library's view of a task whose execution has already ended. The library reads `isRetryable`
 * and `isCatchable` off any error, so neither a Retry nor a Catch (States.ALL included) can resume it.
 */
export class ExecutionClosedError extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor() {
    super('The execution has ended.');
    this.name = 'ExecutionClosed';
  }
}

/** What a token needs of its execution: the execution's tokens still pending, which close when it ends. */
export interface TokenScope {
  pendingTokens: Set<TaskTokenRecord>;
}

export interface TaskTokenRecord {
  execution: TokenScope;
  stateName: string;
  /** Date.now() like the library's event timestamps, which it is compared with. */
  registeredAt: number;
  status: 'pending' | 'closed';
  outcome: PromiseWithResolvers<unknown>;
}

/** Every task token handed out, kept after it closes so a late answer gets TaskTimedOut, not InvalidToken. */
export type TaskTokens = Map<string, TaskTokenRecord>;

export function registerToken(
  tokens: TaskTokens,
  token: string,
  execution: TokenScope,
  stateName: string,
): TaskTokenRecord {
  const record: TaskTokenRecord = {
    execution,
    stateName,
    registeredAt: Date.now(),
    status: 'pending',
    outcome: Promise.withResolvers<unknown>(),
  };
  record.outcome.promise.catch(ignore);
  tokens.set(token, record);
  execution.pendingTokens.add(record);
  return record;
}

/** Answers the task behind a token exactly once; later answers find it closed. */
export function settleToken(
  record: TaskTokenRecord,
  result: { output: unknown } | { error: unknown },
): boolean {
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

export function closePendingTokens(execution: TokenScope) {
  for (const record of [...execution.pendingTokens]) {
    settleToken(record, { error: new ExecutionClosedError() });
  }
}

/**
 * The library enforces task timeouts itself and reports them only as events, so a token whose attempt
 * timed out is closed from the event stream. Events arrive a few microtasks late, by when a retry or a
 * Catch back into the same state may have registered a new token; the timestamp keeps that one open
 * (a timed-out attempt is at least a second older than the event that ends it).
 */
export async function watchStateEnds(execution: TokenScope, events: EventLogs) {
  try {
    for await (const event of events) {
      if ((event.type === 'StateFailed' || event.type === 'StateExited') && event.index === undefined) {
        for (const record of [...execution.pendingTokens]) {
          if (record.stateName === event.state.name && record.registeredAt < event.timestamp) {
            settleToken(record, { error: new ExecutionClosedError() });
          }
        }
      }
    }
  } catch {
    // The generator only reads an in-memory queue; ending the execution closes whatever it would have closed.
  }
}

export function sendTaskSuccess(tokens: TaskTokens, body: JsonObject) {
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
  settleToken(pendingToken(tokens, body), { output });
  return {};
}

export function sendTaskFailure(tokens: TaskTokens, body: JsonObject) {
  const error = optionalString(body, 'error');
  const cause = optionalString(body, 'cause');
  const record = pendingToken(tokens, body);
  const failure = new Error(cause ?? '');
  failure.name = error ?? '';
  settleToken(record, { error: failure });
  return {};
}

export function sendTaskHeartbeat(tokens: TaskTokens, body: JsonObject) {
  // HeartbeatSeconds is not emulated, so a heartbeat only proves the token is still pending.
  pendingToken(tokens, body);
  return {};
}

function pendingToken(tokens: TaskTokens, body: JsonObject): TaskTokenRecord {
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
