import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

// biome-ignore lint/suspicious/noExplicitAny: a Lambda handler takes any event shape.
export type LambdaHandler = (event: any, context: Context) => Promise<unknown>;

/** An error as Lambda reports it: the thrown error's name becomes `errorType`, which Step Functions matches. */
export class LambdaError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * Invokes a handler the way Lambda does: the event and the result cross a JSON boundary (so nothing that
 * would not survive serialization leaks through), and a thrown error keeps only its name and message.
 */
export async function invokeLambda(
  handler: LambdaHandler,
  event: unknown,
  functionName: string,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  const context = {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  } satisfies Context;
  try {
    const result = await handler(JSON.parse(JSON.stringify(event ?? null)), context);
    return result === undefined ? null : JSON.parse(JSON.stringify(result));
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    throw new LambdaError(error.name || 'Error', error.message);
  }
}

/** Loads `functions/handlers/<name>.ts` and returns its `handler` export. */
export async function loadHandler(name: string): Promise<LambdaHandler> {
  const mod = (await import(new URL(`../functions/handlers/${name}.ts`, import.meta.url).href)) as {
    handler?: LambdaHandler;
  };
  if (typeof mod.handler !== 'function')
    throw new Error(`functions/handlers/${name}.ts does not export handler`);
  return mod.handler;
}
