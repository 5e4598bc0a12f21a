import type { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * The function's X-Ray tracer: a subsegment per AWS call of every SDK client (`traced`), and one per
 * invocation with its cold start (every handler shape). It traces only on Lambda with active tracing (the
 * CDK app turns it on). Off Lambda (the local runtime, tests) it is not even loaded: the X-Ray SDK under it
 * installs an async hook on every promise as it loads, which costs about a tenth of a function's CPU, and
 * off Lambda the tracer would never trace anyway. Responses are never recorded: they hold callers' numbers
 * and conversations (POWERTOOLS_TRACER_CAPTURE_RESPONSE=false, set for every function).
 */
export const tracer: Tracer | undefined = process.env.AWS_EXECUTION_ENV
  ? new (await import('@aws-lambda-powertools/tracer')).Tracer()
  : undefined;

/** An SDK client whose calls appear in the function's trace (on Lambda). */
export function traced<Client extends Parameters<Tracer['captureAWSv3Client']>[0]>(client: Client): Client {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}
