import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { DEFAULT_TIMEOUT_SECONDS, type FunctionEntry } from '../functions/manifest/index.ts';
import type { AwsDispatch } from './aws-endpoint.ts';
import { bundleFunctions, type FunctionBundles } from './bundle.ts';
import { functionNameOf } from './grants.ts';
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
import { addSdkCounts, emptySdkCounts, type SdkCounts } from './sdk-counter.ts';

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
   * process (local/in-process-aws.ts) instead of over the loopback; the requests of a service in `direct`
   * (by X-Amz-Target prefix) go straight to its thread, on a port `direct` opens for each environment
   * (none when the thread has ended: they go to `dispatch`, which answers for it).
   */
  aws?: { endpoint: string; dispatch: AwsDispatch; direct?: Record<string, () => MessagePort | undefined> };
  /** Failures of the environment itself (a crashed worker), not of an invocation. */
  onError: (message: string, error: unknown) => void;
  /**
   * How many execution environments (threads) run the functions, each taking several invocations at once:
   * one per core lets the functions use them all. 1 by default.
   */
  environments?: number;
}

export interface LambdaService {
  /** Starts the execution environments now (loading every function) instead of at the first invocation. */
  warm(): Promise<void>;
  /** Invokes a function of the catalog with an event; resolves to its result or rejects with a LambdaError. */
  invoke(entry: Pick<FunctionEntry, 'handler'>, event: unknown): Promise<unknown>;
  /** The execution environments' JavaScript heaps in use, in bytes (0 when none is running). */
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

/** One execution environment: its thread once it has loaded the functions, and its requests under way. */
class Environment {
  readonly pending = new Map<number, Waiter>();
  /** Invocations sent to it and not yet answered. */
  busy = 0;
  /** Whether it has loaded the functions. */
  up = false;
  /** Whether its thread has ended: it answers nothing more. */
  exited = false;
  readonly ready: Promise<Worker>;
  constructor(launch: (environment: Environment) => Promise<Worker>) {
    this.ready = launch(this);
  }
}
type Waiter<T = unknown> = { resolve: (value: T) => void; reject: (error: Error) => void };

/** How long closing waits for the invocations under way. */
const DRAIN_MS = 5_000;

/**
 * Lambda on one machine: the catalog's functions run in execution environments of their own (worker
 * threads, see lambda-worker.ts), each function from its own bundle (local/bundle.ts) and with its own
 * environment variables, as if each had its own Lambda execution environment. A service has `environments`
 * of them, like a function on Lambda Managed Instances with that many instances: each invocation goes to
 * the one with the fewest under way, so nothing of one invocation's module state is sure to be seen by the
 * next. Each runs at most AWS_LAMBDA_MAX_CONCURRENCY invocations at once (one when the environment does not
 * say); the others wait for room, the functions taking turns, and a deadline starts when its invocation
 * runs. A second local stack in the same process gets its own. If an environment dies (an uncaught error, as
 * on Lambda), the invocations in flight in it fail and the next invocation starts a fresh one: a cold start.
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
  const inFlight = new Set<Promise<unknown>>();
  let invocations: LambdaCounts['invocations'] = {};
  let nextId = 0;
  let closed = false;
  /** The environments started (or starting), each with its requests under way. */
  const pool: Environment[] = [];
  const size = options.environments ?? 1;
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`environments must be a whole number of at least 1, not ${size}`);
  }
  /** Invocations each environment runs at once, as on Lambda: one unless the environment says more. */
  const concurrency = Math.max(1, Number(options.environment.AWS_LAMBDA_MAX_CONCURRENCY) || 1);
  /** What the environments reported of the functions, each once whichever environment saw it. */
  const reported = new Set<string>();
  const reportOnce = (message: string, detail: string) => {
    if (reported.has(`${message}: ${detail}`)) return;
    reported.add(`${message}: ${detail}`);
    options.onError(message, detail);
  };
  /**
   * Invocations that came when every environment was full, by function, first first; the functions take
   * turns (the first in this map is next, then goes to the back). On Lambda each function scales on its
   * own: a flood of one function's invocations does not hold back another's.
   */
  const waiting = new Map<string, Waiter<Environment>[]>();

  function start(): Environment {
    const environment = new Environment(launch);
    environment.ready.then(
      () => {
        environment.up = true;
        dispatch();
      },
      () => undefined,
    );
    return environment;
  }

  async function launch(environment: Environment): Promise<Worker> {
    const { pending } = environment;
    const loaded = await functions();
    // Opened now, in the same turn as the worker that takes them: a port whose other end closes sooner is
    // then closed in the worker (and its requests take the main thread's way), not detached here.
    const aws = options.aws && {
      ...options.aws,
      channel: new MessageChannel(),
      direct: Object.fromEntries(
        Object.entries(options.aws.direct ?? {}).flatMap(([target, open]) => {
          const port = open();
          return port ? [[target, port]] : [];
        }),
      ),
    };
    const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
      env: options.environment,
      workerData: {
        module: new URL('./lambda-worker.ts', import.meta.url).href,
        functions: loaded,
        ...(aws ? { aws: { endpoint: aws.endpoint, port: aws.channel.port2, direct: aws.direct } } : {}),
      } satisfies LambdaWorkerData,
      transferList: aws ? [aws.channel.port2, ...Object.values(aws.direct)] : [],
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
        reportOnce(`${name} read ${variable}`, 'its catalog access does not give it this variable');
      }
      if ('leftOutCall' in reply)
        reportOnce('a function called what its bundle leaves out', reply.leftOutCall);
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
      environment.exited = true;
      const at = pool.indexOf(environment);
      if (at >= 0) pool.splice(at, 1);
      // Those waiting for room go to the others, or to the one started in its place.
      queueMicrotask(dispatch);
      for (const call of pending.values()) {
        call.reject(new LambdaError('Runtime.ExitError', 'the execution environment exited'));
      }
      pending.clear();
    });
    return ready;
  }

  /** A request to an environment, answered by the reply with its id. */
  function ask(
    environment: Environment,
    worker: Worker,
    request: (id: number) => InvokeRequest | HeapRequest | CountsRequest,
  ): Promise<unknown> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      if (environment.exited) {
        reject(new LambdaError('Runtime.ExitError', 'the execution environment exited'));
        return;
      }
      environment.pending.set(id, { resolve, reject });
      worker.postMessage(request(id));
    });
  }

  /**
   * The environment for the next invocation: of those with room for one more (fewer than `concurrency`
   * under way), one that is up with the fewest under way (the first when they tie); while fewer than
   * `size` are running, a new one is started. One still loading its functions is chosen only when none
   * that is up has room, as Lambda sends invocations to warm environments while it scales.
   */
  function choose(): Environment | undefined {
    while (pool.length < size) pool.push(start());
    const open = pool.filter((e) => e.busy < concurrency);
    const up = open.filter((e) => e.up);
    const candidates = up.length > 0 ? up : open;
    return candidates.reduce<Environment | undefined>(
      (best, e) => (!best || e.busy < best.busy ? e : best),
      undefined,
    );
  }

  /** Gives the invocations waiting for room the room there is: each function's in the order they came. */
  function dispatch(): void {
    while (waiting.size > 0 && !closed) {
      const environment = choose();
      if (!environment) return;
      const [handler, queue] = waiting.entries().next().value as [string, Waiter<Environment>[]];
      const next = queue.shift();
      waiting.delete(handler);
      if (queue.length > 0) waiting.set(handler, queue);
      environment.busy += 1;
      next?.resolve(environment);
    }
  }

  /** Room for one invocation of a function: at once when an environment has some, else in its turn. */
  function room(handler: string): Promise<Environment> {
    if (closed)
      return Promise.reject(new LambdaError('ServiceException', 'the local Lambda service is closed'));
    const waited = new Promise<Environment>((resolve, reject) => {
      const queue = waiting.get(handler) ?? [];
      queue.push({ resolve, reject });
      waiting.set(handler, queue);
    });
    dispatch();
    return waited;
  }

  /** Asks each environment as soon as it is up; one that failed to start, or ended, answers nothing. */
  async function eachRunning(request: (id: number) => HeapRequest | CountsRequest): Promise<unknown[]> {
    const answers = await Promise.all(
      pool.map(async (e) => {
        const worker = await e.ready.catch(() => undefined);
        return worker && ask(e, worker, request).catch(() => undefined);
      }),
    );
    return answers.filter((answer) => answer !== undefined);
  }

  return {
    async warm() {
      if (closed) throw new LambdaError('ServiceException', 'the local Lambda service is closed');
      choose();
      await Promise.all(pool.map((e) => e.ready));
    },
    async heapUsed() {
      const heaps = await eachRunning((id) => ({ id, heapUsed: true }) satisfies HeapRequest);
      return (heaps as number[]).reduce((sum, heap) => sum + heap, 0);
    },
    async counts(reset = false) {
      const each = await eachRunning((id) => ({ id, sdkCounts: reset ? 'reset' : 'read' }));
      const counted = { invocations, sdk: (each as SdkCounts[]).reduce(addSdkCounts, emptySdkCounts()) };
      if (reset) invocations = {};
      return counted;
    },
    async invoke(entry, event) {
      const environment = await room(entry.handler);
      const started = performance.now();
      const counted = invocations[entry.handler] ?? { count: 0, durationMs: 0 };
      invocations[entry.handler] = counted;
      counted.count += 1;
      const invocation = environment.ready.then((worker) =>
        ask(
          environment,
          worker,
          (id) =>
            ({ id, handler: entry.handler, event: JSON.stringify(event ?? null) }) satisfies InvokeRequest,
        ),
      );
      inFlight.add(invocation);
      void invocation
        .catch(() => undefined)
        .finally(() => {
          environment.busy -= 1;
          inFlight.delete(invocation);
          counted.durationMs += performance.now() - started;
          dispatch();
        });
      return invocation;
    },
    /** Takes no new invocation, lets those under way finish (for a few seconds at most), then ends. */
    async close() {
      closed = true;
      for (const invocation of [...waiting.values()].flat()) {
        invocation.reject(new LambdaError('ServiceException', 'the local Lambda service is closed'));
      }
      waiting.clear();
      const drained = Promise.allSettled([...inFlight]);
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref())]);
      const workers = await Promise.all(pool.map((e) => e.ready.catch(() => undefined)));
      await Promise.all(workers.map((worker) => worker?.terminate()));
      await (await bundles?.catch(() => undefined))?.remove();
    },
  };
}
