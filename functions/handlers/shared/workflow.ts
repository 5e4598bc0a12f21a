import middy from '@middy/core';
import type { z } from 'zod';
import { WorkflowErrors, WorkflowSignal } from '../../core/errors.ts';
import { logger } from './logger.ts';
import { validate } from './validation.ts';

/**
 * The shape of every workflow task: the payload the ASL passes is validated, the use case runs, and its
 * result is the task's output. A WorkflowSignal keeps its name (NoAgentAvailable, CallEnded...): the ASL
 * `Catch` blocks branch on it. Anything else is reported as RetryableTaskError, which the ASL retries
 * before it gives up, so one throttled write does not overflow a call.
 */
export function workflowTask<S extends z.ZodType<{ callId: string }>, R>(
  name: string,
  schema: S,
  fn: (payload: z.infer<S>) => Promise<R>,
) {
  return middy<unknown, R>().handler(async (event) => {
    const payload = validate(schema, event);
    const keys = { callId: payload.callId, task: name };
    try {
      return await fn(payload);
    } catch (err) {
      const error = err as Error;
      if (err instanceof WorkflowSignal) {
        logger.info(`${name} ended with ${error.name}`, { ...keys, message: error.message });
        throw err;
      }
      logger.error(`${name} failed`, { ...keys, error: error.name, message: error.message });
      const retryable = new Error(`${error.name}: ${error.message}`);
      retryable.name = WorkflowErrors.RetryableTaskError;
      throw retryable;
    }
  });
}
