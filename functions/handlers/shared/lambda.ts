import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { powertools } from './logger.ts';
import { flushMetrics } from './metrics.ts';
import { tracer } from './tracer.ts';

/**
 * Where every handler shape starts (http, signed callback, socket action, socket connection, authorizer,
 * workflow task, event target, schedule): middy, with the logger's Lambda context injected and its
 * per-invocation keys reset after each invocation, the metrics it recorded flushed at its end, and its
 * trace (on Lambda) with its cold start. Each shape then adds its parsing and its way of
 * answering an error (all of them through `mapError`), and the handler comes last.
 */
export function lambdaHandler<Event, Result>() {
  const handler = middy<Event, Result>();
  if (tracer) handler.use(captureLambdaHandler(tracer, { captureResponse: false }));
  return handler.use(injectLambdaContext(powertools, { resetKeys: true })).use(flushMetrics<Event, Result>());
}
