import { mkdir, readdir, rm } from 'node:fs/promises';
import { build } from 'esbuild';

/** Where bundles are written: inside the project, so that their package imports resolve as the sources' do. */
const CACHE = new URL('../node_modules/.cache/call-resiliency/', import.meta.url);
const PROJECT_ROOT = new URL('..', import.meta.url);
let bundlesMade = 0;

export interface FunctionBundles {
  /** The bundle of one source file (project-relative), as a file URL to import. */
  urlOf(file: string): string;
  /** Deletes the bundles. */
  remove(): Promise<void>;
}

/**
 * Each function as its own bundle, as the CDK app deploys it (esbuild, ESM): every function then has its
 * own instance of every module of the project — its own SDK clients, configuration and credentials — even
 * when several share one execution environment. Packages stay outside the bundles (they are loaded once,
 * from node_modules); source maps are inline, so stack traces name the TypeScript sources.
 */
export async function bundleFunctions(files: readonly string[]): Promise<FunctionBundles> {
  await removeAbandoned();
  const dir = new URL(`functions-${process.pid}-${bundlesMade++}/`, CACHE);
  const nameOf = (file: string) => file.replace(/\.ts$/, '').replace(/[^\w-]+/g, '_');
  await build({
    entryPoints: Object.fromEntries(
      files.map((file) => [nameOf(file), new URL(file, PROJECT_ROOT).pathname]),
    ),
    outdir: dir.pathname,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  return {
    urlOf: (file) => new URL(`${nameOf(file)}.mjs`, dir).href,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Bundles left by processes that ended without removing theirs. */
async function removeAbandoned(): Promise<void> {
  await mkdir(CACHE, { recursive: true });
  for (const name of await readdir(CACHE)) {
    const pid = Number(/^functions-(\d+)-\d+$/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !isRunning(pid)) {
      await rm(new URL(name, CACHE), { recursive: true, force: true });
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
