import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';

/**
 * The execution environment of the local Lambda service, in a worker thread of its own: its own module
 * instances and its own `process.env` (the functions' environment, set before anything is loaded), so
 * nothing of the host process or of another local stack leaks in. Like a Lambda execution environment
 * that runs several invocations at once (AWS_LAMBDA_MAX_CONCURRENCY), each invocation runs in its own
 * InvokeStore context, which keeps per-invocation state (the logger's keys) apart.
 */

// biome-ignore lint/suspicious/noExplicitAny: a Lambda handler takes any event shape.
type LambdaHandler = (event: any, context: Context) => Promise<unknown>;

export interface WorkerFunction {
  /** Handler file below functions/handlers, without extension. */
  handler: string;
  /** The project-relative file that exports `handler`. */
  file: string;
  timeoutSeconds: number;
}

export type InvokeRequest = { id: number; handler: string; event: string };
export type InvokeReply =
  | { id: number; result: string }
  | { id: number; error: { name: string; message: string } };

const port = parentPort;
if (!port) throw new Error('lambda-worker.ts runs in a worker thread');
const { functions, root } = workerData as { functions: WorkerFunction[]; root: string };

const store = await InvokeStore.getInstanceAsync();
const loaded = new Map<string, { fn: LambdaHandler; timeoutSeconds: number }>();
for (const entry of functions) {
  const mod = (await import(new URL(entry.file, root).href)) as { handler?: LambdaHandler };
  if (typeof mod.handler !== 'function') throw new Error(`${entry.file} does not export handler`);
  loaded.set(entry.handler, { fn: mod.handler, timeoutSeconds: entry.timeoutSeconds });
}

function contextFor(handler: string, timeoutSeconds: number): Context {
  const functionName = handler.replace('/', '-');
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * One invocation, the way Lambda does it: the event and the result cross a JSON boundary (so nothing that
 * would not survive serialization leaks through), and a thrown error keeps only its name and message.
 */
async function invoke({ id, handler, event }: InvokeRequest): Promise<InvokeReply> {
  const target = loaded.get(handler);
  try {
    if (!target) throw new Error(`no function ${handler} in this environment`);
    const context = contextFor(handler, target.timeoutSeconds);
    const requestContext = { [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: context.awsRequestId };
    const result = await store.run(requestContext, () => target.fn(JSON.parse(event), context));
    return { id, result: JSON.stringify(result ?? null) };
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    return { id, error: { name: error.name || 'Error', message: error.message } };
  }
}

port.on('message', (request: InvokeRequest) => {
  void invoke(request).then((reply) => port.postMessage(reply));
});
port.postMessage({ ready: true });
