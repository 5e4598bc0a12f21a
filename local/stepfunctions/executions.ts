import { randomUUID } from 'node:crypto';
import { ApiError, optionalString, validationError } from '../aws-json-api.ts';
import {
  abortExecution,
  type ExecutionRecord,
  type ExecutionStatus,
  type MachineRuntime,
  newExecutionRecord,
  runExecution,
  suspendExecution,
} from './execution-run.ts';
import type { SavedExecution } from './persistence.ts';
import { epochSeconds, isObject, type JsonObject } from './util.ts';

const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT'];
const DEFAULT_PAGE_SIZE = 100;
/** Executions kept for DescribeExecution and ListExecutions: every running one, and this many ended ones. */
const ENDED_RECORDS_KEPT = 1_000;
/** Names of ended executions still refused to a new StartExecution (AWS: 90 days); the oldest go first. */
const ENDED_NAMES_KEPT = 100_000;

/**
 * The executions of the one state machine: every running one, and the most recent ended ones (older ones
 * are forgotten but for their names, which a new execution may not take), so a long run stays flat.
 */
export interface Executions extends MachineRuntime {
  readonly records: Map<string, ExecutionRecord>;
  readonly retiredArns: Set<string>;
}

export function createExecutions(runtime: MachineRuntime): Executions {
  return { ...runtime, records: new Map(), retiredArns: new Set() };
}

/** Forgets the oldest ended executions beyond what is kept. */
function prune(executions: Executions) {
  let ended = 0;
  for (const record of executions.records.values()) if (record.status !== 'RUNNING') ended++;
  for (const [arn, record] of executions.records) {
    if (ended <= ENDED_RECORDS_KEPT) break;
    if (record.status === 'RUNNING') continue;
    executions.records.delete(arn);
    executions.retiredArns.add(arn);
    ended--;
  }
  for (const arn of executions.retiredArns) {
    if (executions.retiredArns.size <= ENDED_NAMES_KEPT) break;
    executions.retiredArns.delete(arn);
  }
}

export async function startExecution(executions: Executions, body: JsonObject) {
  requireStateMachine(executions, optionalString(body, 'stateMachineArn'));
  const name = optionalString(body, 'name') ?? randomUUID();
  if (!isValidName(name)) {
    throw new ApiError('InvalidName', `Invalid Name: '${name}'`);
  }
  const input = optionalString(body, 'input') ?? '{}';
  const parsedInput = parseInput(input);
  const { partition, region, account, name: machineName } = executions.stateMachine;
  const executionArn = `arn:${partition}:states:${region}:${account}:execution:${machineName}:${name}`;
  const existing = executions.records.get(executionArn);
  if (existing) {
    // Like AWS: repeating a StartExecution for a running execution with the same input is idempotent.
    if (existing.status === 'RUNNING' && existing.input === input) {
      return { executionArn, startDate: epochSeconds(existing.startDate) };
    }
    throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
  }
  if (executions.retiredArns.has(executionArn)) {
    throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
  }
  prune(executions);
  const execution = newExecutionRecord(executionArn, name, input);
  executions.records.set(executionArn, execution);
  await runExecution(executions, execution, parsedInput);
  return { executionArn, startDate: epochSeconds(execution.startDate) };
}

/** Takes up executions that were running when the runtime last stopped, each from the state it was in. */
export function resumeExecutions(executions: Executions, saved: readonly SavedExecution[]) {
  for (const from of saved) {
    if (executions.records.has(from.executionArn)) continue;
    const execution = {
      ...newExecutionRecord(from.executionArn, from.name, from.input),
      startDate: new Date(from.startDate),
    };
    execution.saved = from;
    executions.records.set(from.executionArn, execution);
    void runExecution(executions, execution, parseInput(from.input), from);
  }
}

export function stopExecution(executions: Executions, body: JsonObject) {
  const execution = requireExecution(executions, body);
  abortExecution(executions, execution, optionalString(body, 'error'), optionalString(body, 'cause'));
  return { stopDate: epochSeconds(execution.stopDate ?? new Date()) };
}

/**
 * Stops every running execution as the runtime shuts down. Kept in a store, they stay running there, to be
 * taken up again by the next runtime (Step Functions executions outlive their callers); otherwise they end
 * aborted.
 */
export function stopAllExecutions(executions: Executions) {
  for (const execution of executions.records.values()) {
    if (executions.store) suspendExecution(execution);
    else abortExecution(executions, execution);
  }
}

export function describeExecution(executions: Executions, body: JsonObject) {
  const execution = requireExecution(executions, body);
  return {
    ...summary(executions, execution),
    input: execution.input,
    inputDetails: { included: true },
    ...(execution.output === undefined
      ? {}
      : { output: execution.output, outputDetails: { included: true } }),
    ...(execution.error === undefined ? {} : { error: execution.error }),
    ...(execution.cause === undefined ? {} : { cause: execution.cause }),
  };
}

export function listExecutions(executions: Executions, body: JsonObject) {
  requireStateMachine(executions, optionalString(body, 'stateMachineArn'));
  const statusFilter = optionalString(body, 'statusFilter');
  if (statusFilter !== undefined && !STATUSES.includes(statusFilter as ExecutionStatus)) {
    throw validationError('statusFilter');
  }
  const { offset, pageSize } = page(body);
  const matching = [...executions.records.values()]
    .filter((execution) => statusFilter === undefined || execution.status === statusFilter)
    .reverse();
  return {
    executions: matching.slice(offset, offset + pageSize).map((execution) => summary(executions, execution)),
    ...(offset + pageSize < matching.length ? { nextToken: String(offset + pageSize) } : {}),
  };
}

/** The fields DescribeExecution and ListExecutions have in common. */
function summary(executions: Executions, execution: ExecutionRecord) {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: executions.stateMachine.arn,
    name: execution.name,
    status: execution.status,
    startDate: epochSeconds(execution.startDate),
    ...(execution.stopDate ? { stopDate: epochSeconds(execution.stopDate) } : {}),
  };
}

function requireStateMachine(executions: Executions, stateMachineArn: string | undefined) {
  if (stateMachineArn === undefined) {
    throw validationError('stateMachineArn');
  }
  if (stateMachineArn !== executions.stateMachine.arn) {
    throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
  }
}

function requireExecution(executions: Executions, body: JsonObject): ExecutionRecord {
  const executionArn = optionalString(body, 'executionArn');
  if (executionArn === undefined) {
    throw validationError('executionArn');
  }
  if (!executionArn.startsWith('arn:')) {
    throw new ApiError('InvalidArn', `Invalid Arn: '${executionArn}'`);
  }
  const execution = executions.records.get(executionArn);
  if (!execution) {
    throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
  }
  return execution;
}

/** The page a ListExecutions asks for; its nextToken is the offset of the next page, newest first. */
function page(body: JsonObject): { offset: number; pageSize: number } {
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
  return { offset, pageSize: maxResults === 0 ? DEFAULT_PAGE_SIZE : maxResults };
}

function parseInput(input: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    throw new ApiError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not valid JSON');
  }
  if (!isObject(parsed)) {
    throw new ApiError(
      'InvalidExecutionInput',
      'Invalid State Machine Execution Input: must be a JSON object',
    );
  }
  return parsed;
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
