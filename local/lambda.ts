import { Worker } from 'node:worker_threads';
import { DEFAULT_TIMEOUT_SECONDS, type FunctionEntry, handlerFile } from '../functions/manifest/index.ts';
import type { InvokeReply, WorkerFunction } from './lambda-worker.ts';

/** An error as Lambda reports it: the thrown error's name becomes `errorType`, which Step Functions matches. */
class LambdaError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface LambdaServiceOptions {
  functions: readonly FunctionEntry[];
  /** The functions' environment: all they can read of `process.env`. */
  environment: Record<string, string>;
  /** Failures of the environment itself (a crashed worker), not of an invocation. */
  onError: (message: string, error: unknown) => void;
}

export interface LambdaService {
  /** Starts the execution environment now (loading every function) instead of at the first invocation. */
  warm(): Promise<void>;
  /** Invokes a function of the catalog with an event; resolves to its result or rejects with a LambdaError. */
  invoke(entry: Pick<FunctionEntry, 'handler'>, event: unknown): Promise<unknown>;
  close(): Promise<void>;
}

const PROJECT_ROOT = new URL('..', import.meta.url).href;
/** How long closing waits for the invocations under way. */
const DRAIN_MS = 5_000;

/**
 * Lambda on one machine: the catalog's functions run in an execution environment of their own (a worker
 * thread, see lambda-worker.ts) whose environment is set before any function is loaded. Each service is
 * such an environment; a second local stack in the same process gets its own, with its own clients and
 * configuration. If the environment dies (an uncaught error, as on Lambda), the invocations in flight fail
 * and the next one starts a fresh environment: a cold start.
 */
export function startLambdaService(options: LambdaServiceOptions): LambdaService {
  const functions: WorkerFunction[] = options.functions.map((entry) => ({
    handler: entry.handler,
    file: handlerFile(entry),
    timeoutSeconds: entry.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
  }));
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const inFlight = new Set<Promise<unknown>>();
  let nextId = 0;
  let closed = false;
  let environment: Promise<Worker> | undefined;

  function start(): Promise<Worker> {
    const worker = new Worker(new URL('./lambda-worker.mjs', import.meta.url), {
      env: options.environment,
      workerData: { functions, root: PROJECT_ROOT },
    });
    const ready = new Promise<Worker>((resolve, reject) => {
      worker.once('message', () => resolve(worker));
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
    worker.on('message', (reply: InvokeReply | { ready: true }) => {
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

  async function running(): Promise<Worker> {
    if (closed) throw new LambdaError('ServiceException', 'the local Lambda service is closed');
    environment ??= start();
    return environment;
  }

  return {
    async warm() {
      await running();
    },
    async invoke(entry, event) {
      const worker = await running();
      const id = nextId++;
      const invocation = new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, handler: entry.handler, event: JSON.stringify(event ?? null) });
      });
      inFlight.add(invocation);
      void invocation.catch(() => undefined).finally(() => inFlight.delete(invocation));
      return invocation;
    },
    /** Takes no new invocation, lets those under way finish (for a few seconds at most), then ends. */
    async close() {
      closed = true;
      const drained = Promise.allSettled([...inFlight]);
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref())]);
      const worker = await environment?.catch(() => undefined);
      await worker?.terminate();
    },
  };
}
