import { type ChildProcess, spawn } from 'node:child_process';
import { eventually } from './poll.ts';

export interface StartedProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
  errors(): string;
}

/** Runs `local/main.ts` the way `npm start` does (on a free port unless PORT is given), and reads what it prints. */
export function startProcess(env: Record<string, string> = {}): StartedProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => out, errors: () => err };
}

/** Starts `npm start` and waits for its banner: its REST base URL and its WebSocket URL. */
export async function boot(env: Record<string, string> = {}) {
  const proc = startProcess(env);
  const url = await eventually(() => /REST API\s+(http:\/\/\S+)\/v1/.exec(proc.output())?.[1], {
    timeoutMs: 30_000,
    what: 'the start banner',
  }).catch((error: Error) => {
    throw new Error(`${error.message} (stderr: ${proc.errors()})`);
  });
  return { ...proc, url, wsUrl: `${url.replace(/^http/, 'ws')}/ws` };
}
