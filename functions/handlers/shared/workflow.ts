import middy from '@middy/core';
import type { z } from 'zod';
import { DomainError, WorkflowSignal } from '../../core/errors.ts';
import { logger } from './logger.ts';
import { validate } from './validation.ts';

/**
 * The shape of every workflow task: the payload the ASL passes is validated, the use case runs, and its
 * result is the task's output. Errors keep their `name`, which Step Functions reports as the error that the
 * ASL `Retry`/`Catch` blocks match (WorkflowSignal names such as NoAgentAvailable are deliberate branches).
 */
export function workflowTask<S extends z.ZodType, R>(
  name: string,
  schema: S,
  fn: (payload: z.infer<S>) => Promise<R>,
) {
  return middy<unknown, R>().handler(async (event) => {
    const payload = validate(schema, event);
    try {
      return await fn(payload);
    } catch (err) {
      const error = err as Error;
      const expected = err instanceof WorkflowSignal || err instanceof DomainError;
      (expected ? logger.info : logger.error)(`${name} ended with ${error.name}`, {
        ...(payload as object),
        message: error.message,
      });
      throw err;
    }
  });
}
