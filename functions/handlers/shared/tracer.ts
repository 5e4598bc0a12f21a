import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * The function's X-Ray tracer: a subsegment per AWS call of every SDK client (`traced`), and one per
 * invocation with its cold start (every handler shape). It traces only on Lambda with active tracing (the
 * CDK app turns it on); elsewhere (the local runtime, tests) it does nothing. Responses are never recorded:
 * they hold callers' numbers and conversations (POWERTOOLS_TRACER_CAPTURE_RESPONSE=false, set for every
 * function).
 */
export const tracer = new Tracer();

/** An SDK client whose calls appear in the function's trace. */
export function traced<Client extends Parameters<Tracer['captureAWSv3Client']>[0]>(client: Client): Client {
  return tracer.captureAWSv3Client(client);
}
