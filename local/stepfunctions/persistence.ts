import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ignore } from './util.ts';

/**
 * Where a running execution is, as much as it takes to carry on after a restart: the state it is in and
 * that state's input, and, while a `.waitForTaskToken` state waits, its token and deadline.
 */
export interface SavedExecution {
  executionArn: string;
  name: string;
  /** The execution's own input, as StartExecution got it. */
  input: string;
  startDate: string;
  state: string;
  stateInput: unknown;
  /** When the state was entered (Date.now()), to tell a wait of this entry from one of an earlier one. */
  enteredAt: number;
  waiting?: { token: string; deadline: number; registeredAt: number };
}

/** Running executions on disk, so that Step Functions' promise holds locally too: executions outlive restarts. */
export interface ExecutionStore {
  load(): Promise<SavedExecution[]>;
  /** Resolves once this state is on disk (or its write failed and was reported). */
  save(execution: SavedExecution): Promise<void>;
  forget(executionArn: string): void;
  /** Resolves once every write asked for so far is on disk. */
  flush(): Promise<void>;
}

/**
 * One JSON file per running execution under `dir`, written whole (to a temporary file, then renamed, so a
 * crash leaves the last complete state) and removed when the execution ends. Writes of one execution run
 * in order; a failed write is reported, and the next one tries again.
 */
export function createExecutionStore(dir: string, onError: (error: unknown) => void): ExecutionStore {
  const queues = new Map<string, Promise<void>>();
  const fileOf = (executionArn: string) =>
    join(dir, `${Buffer.from(executionArn).toString('base64url')}.json`);
  const ready = mkdir(dir, { recursive: true });

  function enqueue(executionArn: string, write: () => Promise<void>): Promise<void> {
    const next = (queues.get(executionArn) ?? ready)
      .then(write)
      .catch(onError)
      .finally(() => {
        if (queues.get(executionArn) === next) queues.delete(executionArn);
      });
    queues.set(executionArn, next);
    return next;
  }

  return {
    async load() {
      await ready;
      const names = (await readdir(dir)).filter((name) => name.endsWith('.json'));
      const saved = await Promise.all(
        names.map(async (name) => {
          try {
            return JSON.parse(await readFile(join(dir, name), 'utf8')) as SavedExecution;
          } catch (error) {
            onError(error);
            return undefined;
          }
        }),
      );
      return saved.filter((execution): execution is SavedExecution => execution !== undefined);
    },
    save(execution) {
      const text = JSON.stringify(execution);
      return enqueue(execution.executionArn, async () => {
        const file = fileOf(execution.executionArn);
        await writeFile(`${file}.tmp`, text);
        await rename(`${file}.tmp`, file);
      });
    },
    forget(executionArn) {
      void enqueue(executionArn, () => rm(fileOf(executionArn), { force: true }));
    },
    async flush() {
      while (queues.size > 0) await Promise.all([...queues.values()].map((queue) => queue.catch(ignore)));
    },
  };
}
