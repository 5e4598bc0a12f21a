import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { isObject, type JsonObject } from './util.ts';

export interface TaskStateInfo {
  waitsForToken: boolean;
  /** A fixed `TimeoutSeconds`, when the state has one. */
  timeoutSeconds?: number;
}

/** The library's timeout of a Task state without TimeoutSeconds or TimeoutSecondsPath. */
const LIBRARY_DEFAULT_TIMEOUT_SECONDS = 60;

/**
 * aws-local-stepfunctions evaluates `TimeoutSecondsPath` against the task's Parameters output instead of the
 * state input, so `$.offerTimeoutSeconds` would not resolve. The rewritten definition copies the value into
 * the Parameters under this key, points `TimeoutSecondsPath` at it, and the overrides strip it again.
 */
const TIMEOUT_PARAMETER = '__localTimeoutSeconds';
const WAIT_FOR_TASK_TOKEN = '.waitForTaskToken';
const TOKEN_PATH = '$$.Task.Token';

/** A rewritten copy of the definition for the library, and its Task states by name. */
export function prepareDefinition(source: unknown): {
  definition: StateMachineDefinition;
  taskStates: Map<string, TaskStateInfo>;
} {
  const definition = structuredClone(source);
  if (!isObject(definition) || !isObject(definition.States)) {
    throw new Error('The state machine definition must be an object with States.');
  }
  const taskStates = prepareTaskStates(definition.States, new Map());
  return { definition: definition as unknown as StateMachineDefinition, taskStates };
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
    if (state.Type === 'Task') {
      found.set(name, prepareTaskState(name, state));
    }
  }
  return found;
}

function prepareTaskState(name: string, state: JsonObject): TaskStateInfo {
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
  return {
    waitsForToken,
    ...(typeof state.TimeoutSeconds === 'number' ? { timeoutSeconds: state.TimeoutSeconds } : {}),
  };
}

/** How long a task attempt may take, as the library enforces it for this input (of the Task's handler). */
export function taskTimeoutSeconds(info: TaskStateInfo, input: unknown): number {
  const fromPath = isObject(input) ? input[TIMEOUT_PARAMETER] : undefined;
  if (typeof fromPath === 'number') return fromPath;
  return info.timeoutSeconds ?? LIBRARY_DEFAULT_TIMEOUT_SECONDS;
}

/** A task's input as the ASL wrote it, without the parameter the `TimeoutSecondsPath` rewrite added. */
export function withoutTimeoutParameter(input: unknown): unknown {
  if (!isObject(input) || !(TIMEOUT_PARAMETER in input)) {
    return input;
  }
  const { [TIMEOUT_PARAMETER]: _timeout, ...rest } = input;
  return rest;
}
