import type { StateMachine } from 'aws-local-stepfunctions';
import { ApiError, optionalString, validationError } from '../aws-json-api.ts';
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
  token: string;
  registry: TaskTokens;
  execution: TokenScope;
  stateName: string;
  /** Date.now() like the library's event timestamps, which it is compared with. */
  registeredAt: number;
  status: 'pending' | 'closed';
  outcome: PromiseWithResolvers<unknown>;
}

/**
 * The task tokens handed out: those still waited on, and the most recent closed ones, kept (as strings) so
 * that a late answer gets TaskTimedOut as on AWS rather than InvalidToken. Bounded, so a long run does not
 * keep every token it ever handed out.
 */
export interface TaskTokens {
  pending: Map<string, TaskTokenRecord>;
  closed: Set<string>;
}

/** How many closed tokens are remembered; an answer older than that gets InvalidToken. */
const CLOSED_TOKENS_KEPT = 10_000;

export function createTaskTokens(): TaskTokens {
  return { pending: new Map(), closed: new Set() };
}

export function registerToken(
  tokens: TaskTokens,
  token: string,
  execution: TokenScope,
  stateName: string,
): TaskTokenRecord {
  const record: TaskTokenRecord = {
    token,
    registry: tokens,
    execution,
    stateName,
    registeredAt: Date.now(),
    status: 'pending',
    outcome: Promise.withResolvers<unknown>(),
  };
  record.outcome.promise.catch(ignore);
  tokens.pending.set(token, record);
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
  const { pending, closed } = record.registry;
  pending.delete(record.token);
  closed.add(record.token);
  if (closed.size > CLOSED_TOKENS_KEPT) closed.delete(closed.values().next().value as string);
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
 * (a timed-out attempt is at least a second older than the event that ends it). The same stream tells
 * `onEntered` which top-level state the execution entered, with its input.
 */
export async function watchStateEnds(
  execution: TokenScope,
  events: EventLogs,
  onEntered: (state: string, input: unknown, at: number) => void = ignore,
  onTransition: () => void = ignore,
) {
  try {
    for await (const event of events) {
      // What Step Functions bills: every state entered, in a Map or Parallel too, and every retry.
      if (event.type === 'StateEntered' || event.type === 'StateRetried') onTransition();
      if (event.type === 'StateEntered' && event.index === undefined) {
        onEntered(event.state.name, event.state.input, event.timestamp);
      }
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
  const record = token === undefined ? undefined : tokens.pending.get(token);
  if (record) return record;
  // What AWS answers once the task behind a token has timed out or closed.
  if (token !== undefined && tokens.closed.has(token)) throw new ApiError('TaskTimedOut', 'Task Timed Out');
  throw new ApiError('InvalidToken', 'Invalid Token');
}
