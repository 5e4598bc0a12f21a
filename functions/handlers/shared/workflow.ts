import type * as z from 'zod/mini';
import { WorkflowErrors, WorkflowSignal } from '../../core/errors.ts';
import type { WorkflowState } from '../../manifest/catalog.ts';
import { RequestError } from './errors.ts';
import { lambdaHandler } from './lambda.ts';
import { appendLogKeys, logger, powertools } from './logger.ts';
import { validate } from './validation.ts';

/**
 * The shape of every workflow task: the payload the ASL passes is validated, the call and the task go into
 * the logs, the use case runs, and its result is the task's output. A WorkflowSignal keeps its name
 * (NoAgentAvailable, CallEnded...): the ASL `Catch` blocks branch on it. So does a payload the task cannot
 * read (the ASL's own bug: retrying cannot fix it). Anything else is reported as RetryableTaskError, which
 * the ASL retries before it gives up, so one throttled write does not overflow a call.
 */
export function workflowTask<S extends z.ZodMiniType<{ callId: string; route?: number }>, R>(
  state: WorkflowState,
  schema: S,
  fn: (payload: z.infer<S>) => Promise<R>,
) {
  return lambdaHandler<unknown, R>()
    .use({
      onError: async (request) => {
        const error = request.error as Error;
        if (error instanceof WorkflowSignal) {
          logger.info(`${state} ended with ${error.name}`, { message: error.message });
          return;
        }
        if (error instanceof RequestError) {
          logger.error(`${state} got a payload it cannot read`, { message: error.message });
          return;
        }
        logger.error(`${state} failed`, { error: error.name, message: error.message });
        const retryable = new Error(`${error.name}: ${error.message}`);
        retryable.name = WorkflowErrors.RetryableTaskError;
        request.error = retryable;
      },
    })
    .handler(async (event) => {
      powertools.appendKeys({ task: state });
      const payload = validate(schema, event);
      appendLogKeys(payload);
      if (payload.route !== undefined) powertools.appendKeys({ route: payload.route });
      return fn(payload);
    });
}
