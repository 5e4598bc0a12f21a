import { randomUUID } from 'node:crypto';
import { ApiError, optionalString, validationError } from './api.ts';
import {
  abortExecution,
  type ExecutionRecord,
  type ExecutionStatus,
  type MachineRuntime,
  newExecutionRecord,
  runExecution,
} from './execution-run.ts';
import { epochSeconds, isObject, type JsonObject } from './util.ts';

const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT'];
const DEFAULT_PAGE_SIZE = 100;

/** Every execution of the one state machine, kept for DescribeExecution and ListExecutions. */
export interface Executions extends MachineRuntime {
  readonly records: Map<string, ExecutionRecord>;
}

export function createExecutions(runtime: MachineRuntime): Executions {
  return { ...runtime, records: new Map() };
}

export function startExecution(executions: Executions, body: JsonObject) {
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
  const execution = newExecutionRecord(executionArn, name, input);
  executions.records.set(executionArn, execution);
  runExecution(executions, execution, parsedInput);
  return { executionArn, startDate: epochSeconds(execution.startDate) };
}

export function stopExecution(executions: Executions, body: JsonObject) {
  const execution = requireExecution(executions, body);
  abortExecution(executions, execution, optionalString(body, 'error'), optionalString(body, 'cause'));
  return { stopDate: epochSeconds(execution.stopDate ?? new Date()) };
}

export function stopAllExecutions(executions: Executions) {
  for (const execution of executions.records.values()) {
    abortExecution(executions, execution);
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
