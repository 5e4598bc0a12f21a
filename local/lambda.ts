import { MessageChannel, Worker } from 'node:worker_threads';
import { DEFAULT_TIMEOUT_SECONDS, type FunctionEntry } from '../functions/manifest/index.ts';
import type { AwsDispatch } from './aws-endpoint.ts';
import { bundleFunctions, type FunctionBundles } from './bundle.ts';
import { answerHandedRequests } from './in-process-aws.ts';
import type {
  CountsRequest,
  HeapRequest,
  InvokeReply,
  InvokeRequest,
  LambdaWorkerData,
  WorkerFunction,
  WorkerNotice,
} from './lambda-worker.ts';
import { emptySdkCounts, type SdkCounts } from './sdk-counter.ts';

/** An error as Lambda reports it: the thrown error's name becomes `errorType`, which Step Functions matches. */
class LambdaError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface LambdaServiceOptions {
  functions: readonly FunctionEntry[];
  /** What every function's environment holds (region, endpoints, settings): nothing of the host's. */
  environment: Record<string, string>;
  /** What one function's environment adds: the names of its resources, its own credentials. */
  ownEnvironment?: (entry: FunctionEntry) => Record<string, string>;
  /**
   * Variables that name resources: a function reading one its access does not give it (`granted`) is
   * reported to `onError`. On AWS the variable would be missing just the same: this makes it loud.
   */
  guarded?: { variables: readonly string[]; granted: (entry: FunctionEntry) => readonly string[] };
  /**
   * The local AWS endpoint: what the functions' SDK clients send to its URL is handed to its `dispatch` in
   * process (local/in-process-aws.ts) instead of over the loopback.
   */
  aws?: { endpoint: string; dispatch: AwsDispatch };
  /** Failures of the environment itself (a crashed worker), not of an invocation. */
  onError: (message: string, error: unknown) => void;
}

export interface LambdaService {
  /** Starts the execution environment now (loading every function) instead of at the first invocation. */
  warm(): Promise<void>;
  /** Invokes a function of the catalog with an event; resolves to its result or rejects with a LambdaError. */
  invoke(entry: Pick<FunctionEntry, 'handler'>, event: unknown): Promise<unknown>;
  /** The execution environment's JavaScript heap in use, in bytes (0 when it is not running). */
  heapUsed(): Promise<number>;
  /** What the functions did since the service started or `counts(true)`, which starts a new count. */
  counts(reset?: boolean): Promise<LambdaCounts>;
  close(): Promise<void>;
}

export interface LambdaCounts {
  /** Invocations by handler, with their total duration (from the event sent to the result received). */
  invocations: Record<string, { count: number; durationMs: number }>;
  /** The functions' AWS SDK requests. */
  sdk: SdkCounts;
}

/** How long closing waits for the invocations under way. */
const DRAIN_MS = 5_000;

/**
 * Lambda on one machine: the catalog's functions run in an execution environment of their own (a worker
 * thread, see lambda-worker.ts), each function from its own bundle (local/bundle.ts) and with its own
 * environment variables, as if each had its own Lambda execution environment. Each service is such an
 * environment; a second local stack in the same process gets its own. If the environment dies (an uncaught
 * error, as on Lambda), the invocations in flight fail and the next one starts a fresh environment: a cold
 * start.
 */
export function startLambdaService(options: LambdaServiceOptions): LambdaService {
  let bundles: Promise<FunctionBundles> | undefined;
  const functions = async (): Promise<WorkerFunction[]> => {
    bundles ??= bundleFunctions(options.functions);
    const made = await bundles;
    return options.functions.map((entry) => ({
      handler: entry.handler,
      name: functionNameOf(entry),
      url: made.urlOf(entry),
      timeoutSeconds: entry.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      environment: {
        AWS_LAMBDA_FUNCTION_NAME: functionNameOf(entry),
        ...options.ownEnvironment?.(entry),
      },
      ungranted: (options.guarded?.variables ?? []).filter(
        (v) => !options.guarded?.granted(entry).includes(v),
      ),
    }));
  };
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const inFlight = new Set<Promise<unknown>>();
  let invocations: LambdaCounts['invocations'] = {};
  let nextId = 0;
  let closed = false;
  let environment: Promise<Worker> | undefined;

  async function start(): Promise<Worker> {
    const aws = options.aws && { ...options.aws, channel: new MessageChannel() };
    const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
      env: options.environment,
      workerData: {
        module: new URL('./lambda-worker.ts', import.meta.url).href,
        functions: await functions(),
        ...(aws ? { aws: { endpoint: aws.endpoint, port: aws.channel.port2 } } : {}),
      } satisfies LambdaWorkerData,
      transferList: aws ? [aws.channel.port2] : [],
    });
    if (aws) {
      answerHandedRequests(aws.channel.port1, aws.dispatch);
      worker.once('exit', () => aws.channel.port1.close());
    }
    const ready = new Promise<Worker>((resolve, reject) => {
      worker.on('message', (notice: WorkerNotice) => 'ready' in notice && resolve(worker));
      worker.once('error', (error) =>
        reject(new LambdaError('Runtime.ImportModuleError', `the functions did not load: ${error.message}`)),
      );
      // Settles nothing once ready; before, it is the environment ending without an error (process.exit).
      worker.once('exit', (code) =>
        reject(
          new LambdaError('Runtime.ExitError', `the execution environment exited (${code}) while loading`),
        ),
      );
    });
    worker.on('message', (reply: InvokeReply | WorkerNotice) => {
      if ('ungrantedRead' in reply) {
        const { name, variable } = reply.ungrantedRead;
        options.onError(`${name} read ${variable}`, 'its catalog access does not give it this variable');
      }
      if ('leftOutCall' in reply)
        options.onError('a function called what its bundle leaves out', reply.leftOutCall);
      if (!('id' in reply)) return;
      const call = pending.get(reply.id);
      pending.delete(reply.id);
      if ('error' in reply) call?.reject(new LambdaError(reply.error.name, reply.error.message));
      else call?.resolve(JSON.parse(reply.result));
    });
    worker.on('error', (error) => {
      if (!closed) options.onError('the local Lambda environment crashed', error);
    });
    worker.on('exit', () => {
      environment = undefined;
      for (const call of pending.values()) {
        call.reject(new LambdaError('Runtime.ExitError', 'the execution environment exited'));
      }
      pending.clear();
    });
    return ready;
  }

  /** A request to the environment, answered by the reply with its id. */
  function ask(
    worker: Worker,
    request: (id: number) => InvokeRequest | HeapRequest | CountsRequest,
  ): Promise<unknown> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage(request(id));
    });
  }

  async function running(): Promise<Worker> {
    if (closed) throw new LambdaError('ServiceException', 'the local Lambda service is closed');
    environment ??= start();
    return environment;
  }

  return {
    async warm() {
      await running();
    },
    async heapUsed() {
      const worker = await environment?.catch(() => undefined);
      if (!worker) return 0;
      return (await ask(worker, (id) => ({ id, heapUsed: true }) satisfies HeapRequest)) as number;
    },
    async counts(reset = false) {
      const worker = await environment?.catch(() => undefined);
      const sdk = worker
        ? ((await ask(worker, (id) => ({ id, sdkCounts: reset ? 'reset' : 'read' }))) as SdkCounts)
        : emptySdkCounts();
      const counted = { invocations, sdk };
      if (reset) invocations = {};
      return counted;
    },
    async invoke(entry, event) {
      const worker = await running();
      const started = performance.now();
      const counted = invocations[entry.handler] ?? { count: 0, durationMs: 0 };
      invocations[entry.handler] = counted;
      counted.count += 1;
      const invocation = ask(
        worker,
        (id) =>
          ({ id, handler: entry.handler, event: JSON.stringify(event ?? null) }) satisfies InvokeRequest,
      );
      inFlight.add(invocation);
      void invocation
        .catch(() => undefined)
        .finally(() => {
          inFlight.delete(invocation);
          counted.durationMs += performance.now() - started;
        });
      return invocation;
    },
    /** Takes no new invocation, lets those under way finish (for a few seconds at most), then ends. */
    async close() {
      closed = true;
      const drained = Promise.allSettled([...inFlight]);
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref())]);
      const worker = await environment?.catch(() => undefined);
      await worker?.terminate();
      await (await bundles?.catch(() => undefined))?.remove();
    },
  };
}

/** `ws/accept` → `ws-accept`: the function's name, in its context and its log lines. */
export function functionNameOf(entry: Pick<FunctionEntry, 'handler'>): string {
  return entry.handler.replace(/[^\w-]+/g, '-').replace(/^-+/, '');
}
