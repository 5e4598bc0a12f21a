import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { getHeapStatistics } from 'node:v8';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';
import { FUNCTION_MEMORY_MB, LEFT_OUT_WARNING } from '../functions/manifest/index.ts';
import { handOverRequestsTo } from './in-process-aws.ts';
import { countSdkRequests } from './sdk-counter.ts';

/**
 * The execution environment of the local Lambda service, in a worker thread of its own, so nothing of the
 * host process or of another local stack leaks in. Each function is loaded from its own bundle (its own
 * module instances) and sees only its own variables in `process.env`: the environment every function has,
 * plus its own, from its first line of code to its last callback. Like a Lambda execution environment that
 * runs several invocations at once (AWS_LAMBDA_MAX_CONCURRENCY), each invocation runs in its own
 * InvokeStore context, which keeps per-invocation state (the logger's keys) apart. The functions' SDK calls
 * to the local AWS endpoint are handed to it in process (local/in-process-aws.ts).
 */

// biome-ignore lint/suspicious/noExplicitAny: a Lambda handler takes any event shape.
type LambdaHandler = (event: any, context: Context) => Promise<unknown>;

export interface WorkerFunction {
  /** Handler file below functions/handlers, without extension: how an invocation names the function. */
  handler: string;
  /** The function's name, in its context. */
  name: string;
  /** The function's bundle, which exports `handler`. */
  url: string;
  timeoutSeconds: number;
  /** The variables this function has beyond those of the whole environment. */
  environment: Record<string, string>;
  /** Variables of other functions' resources: reading one is reported (see `WorkerNotice`). */
  ungranted: string[];
}

/** What the service starts its environment with (local/worker.mjs loads `module`). */
export interface LambdaWorkerData {
  module: string;
  functions: WorkerFunction[];
  /**
   * The local AWS endpoint, the port its requests are handed over to, and the ports of the services that
   * take theirs in a thread of their own, by X-Amz-Target prefix (local/in-process-aws.ts).
   */
  aws?: { endpoint: string; port: MessagePort; direct: Record<string, MessagePort> };
}

/**
 * What the environment tells its service besides replies: a function read a variable it was not given, or
 * called a port whose part its bundle leaves out (functions/manifest/bundling.ts).
 */
export type WorkerNotice =
  | { ready: true }
  | { ungrantedRead: { name: string; variable: string } }
  | { leftOutCall: string };

export type InvokeRequest = { id: number; handler: string; event: string };
/** The environment's own JavaScript heap in use, in bytes (operators' and the soak's memory figures). */
export type HeapRequest = { id: number; heapUsed: true };
/** The functions' AWS requests so far (local/sdk-counter.ts); with `reset`, a new count starts. */
export type CountsRequest = { id: number; sdkCounts: 'read' | 'reset' };
export type InvokeReply =
  | { id: number; result: string }
  | { id: number; error: { name: string; message: string } };

const port = parentPort;
if (!port) throw new Error('lambda-worker.ts runs in a worker thread');
const { functions, aws } = workerData as LambdaWorkerData;
process.setSourceMapsEnabled(true);
// Before any function builds an SDK client.
if (aws) handOverRequestsTo(aws.endpoint, aws.port, aws.direct);

type Environment = Record<string, string | undefined>;
const shared: Environment = { ...process.env };
/** The function whose code is running (its invocation, or its loading): its environment and its name. */
const running = new AsyncLocalStorage<{ environment: Environment; fn: WorkerFunction }>();
const current = () => running.getStore()?.environment ?? shared;
const reported = new Set<string>();
function read(name: string): string | undefined {
  const scope = running.getStore();
  const fn = scope?.fn;
  if (fn?.ungranted.includes(name) && !reported.has(`${fn.name} ${name}`)) {
    reported.add(`${fn.name} ${name}`);
    port?.postMessage({ ungrantedRead: { name: fn.name, variable: name } } satisfies WorkerNotice);
  }
  return (scope?.environment ?? shared)[name];
}
process.on('warning', (warning) => {
  if (warning.name !== LEFT_OUT_WARNING || reported.has(warning.message)) return;
  reported.add(warning.message);
  port?.postMessage({ leftOutCall: warning.message } satisfies WorkerNotice);
});
process.env = new Proxy(shared, {
  get: (_, name) => (typeof name === 'string' ? read(name) : undefined),
  set: (_, name, value) => Reflect.set(current(), name, String(value)),
  has: (_, name) => name in current(),
  deleteProperty: (_, name) => Reflect.deleteProperty(current(), name),
  ownKeys: () => Reflect.ownKeys(current()),
  getOwnPropertyDescriptor: (_, name) => Reflect.getOwnPropertyDescriptor(current(), name),
});

const sdkCounter = countSdkRequests();
const store = await InvokeStore.getInstanceAsync();
const loaded = new Map<
  string,
  { handler: LambdaHandler; scope: { environment: Environment; fn: WorkerFunction } }
>();
for (const fn of functions) {
  const scope = { environment: { ...shared, ...fn.environment }, fn };
  const mod = (await running.run(scope, () => import(fn.url))) as { handler?: LambdaHandler };
  if (typeof mod.handler !== 'function') throw new Error(`${fn.handler} does not export handler`);
  loaded.set(fn.handler, { handler: mod.handler, scope });
}

function contextFor(functionName: string, timeoutSeconds: number): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${functionName}`,
    memoryLimitInMB: String(FUNCTION_MEMORY_MB),
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
    const context = contextFor(target.scope.fn.name, target.scope.fn.timeoutSeconds);
    const requestContext = { [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: context.awsRequestId };
    const result = await running.run(target.scope, () =>
      store.run(requestContext, () => target.handler(JSON.parse(event), context)),
    );
    return { id, result: JSON.stringify(result ?? null) };
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    return { id, error: { name: error.name || 'Error', message: error.message } };
  }
}

port.on('message', (request: InvokeRequest | HeapRequest | CountsRequest) => {
  if ('sdkCounts' in request) {
    const counts = sdkCounter.read();
    if (request.sdkCounts === 'reset') sdkCounter.reset();
    port.postMessage({ id: request.id, result: JSON.stringify(counts) } satisfies InvokeReply);
    return;
  }
  if ('heapUsed' in request) {
    // Live objects only, when the process exposes gc (the soak runs with --expose-gc).
    (globalThis as { gc?: () => void }).gc?.();
    port.postMessage({
      id: request.id,
      result: String(getHeapStatistics().used_heap_size),
    } satisfies InvokeReply);
    return;
  }
  void invoke(request).then((reply) => port.postMessage(reply));
});
port.postMessage({ ready: true } satisfies WorkerNotice);
