import { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import type { Metrics } from '../../core/ports.ts';
import { METRIC_UNITS } from '../../core/vocabulary.ts';

/**
 * The one metrics buffer of a function: CloudWatch embedded metric format (EMF) lines on stdout, which
 * CloudWatch Logs turns into metrics of the namespace POWERTOOLS_METRICS_NAMESPACE with the dimension
 * `service` (POWERTOOLS_SERVICE_NAME); both set by the CDK app and the local runtime.
 */
export const powertoolsMetrics = new PowertoolsMetrics();

/** The core's Metrics port, over Powertools, with each metric's unit from the vocabulary. */
export const metrics: Metrics = {
  record: (name, value) => powertoolsMetrics.addMetric(name, METRIC_UNITS[name], value),
};

/**
 * Flushes what an invocation recorded when it ends, however it ends; an invocation that recorded nothing
 * writes nothing (Powertools would warn on every one). Invocations running at once share the buffer: each
 * flush writes what is there, so nothing is lost or written twice.
 */
export function flushMetrics<Event, Result>(): MiddlewareObj<Event, Result> {
  const flush = async () => {
    if (powertoolsMetrics.hasStoredMetrics()) powertoolsMetrics.publishStoredMetrics();
  };
  return { after: flush, onError: flush };
}
