import { mkdir, readdir, rm } from 'node:fs/promises';
import { build } from 'esbuild';
import {
  type BundleOptions,
  bundleOptionsOf,
  type FunctionEntry,
  handlerFile,
} from '../functions/manifest/index.ts';

/** Where bundles are written: inside the project, so that their package imports resolve as the sources' do. */
const CACHE = new URL('../node_modules/.cache/call-resiliency/', import.meta.url);
const PROJECT_ROOT = new URL('..', import.meta.url);
let bundlesMade = 0;

export interface FunctionBundles {
  /** The bundle of one function, as a file URL to import. */
  urlOf(entry: Pick<FunctionEntry, 'handler'>): string;
  /** Deletes the bundles. */
  remove(): Promise<void>;
}

/**
 * Each function as its own bundle, as the CDK app deploys it (esbuild, ESM, with only the parts its access
 * needs: functions/manifest/bundling.ts): every function then has its own instance of every module of the
 * project — its own SDK clients, configuration and credentials — even when several share one execution
 * environment. Packages stay outside the bundles (they are loaded once, from node_modules, where on AWS the
 * SDK's come from its layer and the others are bundled), but for those of the parts it leaves out. Each
 * bundle has its source map beside it, without the sources' text, as the CDK app ships them: stack traces
 * name the TypeScript sources, and an execution environment keeps no copy of them (inline maps with the
 * sources cost each environment about 35 MB of heap).
 */
export async function bundleFunctions(
  functions: readonly Pick<FunctionEntry, 'handler' | 'access'>[],
): Promise<FunctionBundles> {
  await removeAbandoned();
  const dir = new URL(`functions-${process.pid}-${bundlesMade++}/`, CACHE);
  const nameOf = (entry: Pick<FunctionEntry, 'handler'>) => entry.handler.replace(/[^\w-]+/g, '_');
  // The functions that need the same parts share one build, with an entry point each.
  const builds = new Map<string, { options: BundleOptions; entries: Pick<FunctionEntry, 'handler'>[] }>();
  for (const entry of functions) {
    const options = bundleOptionsOf(entry.access);
    const key = JSON.stringify(options);
    builds.set(key, { options, entries: [...(builds.get(key)?.entries ?? []), entry] });
  }
  await Promise.all(
    [...builds.values()].map(({ options: { define, alias, external }, entries }) =>
      build({
        entryPoints: Object.fromEntries(
          entries.map((entry) => [nameOf(entry), new URL(handlerFile(entry), PROJECT_ROOT).pathname]),
        ),
        outdir: dir.pathname,
        outExtension: { '.js': '.mjs' },
        bundle: true,
        packages: 'external',
        platform: 'node',
        format: 'esm',
        target: 'node20',
        sourcemap: 'linked',
        sourcesContent: false,
        logLevel: 'silent',
        define,
        alias: Object.fromEntries(
          Object.entries(alias).map(([name, file]) => [name, new URL(file, PROJECT_ROOT).pathname]),
        ),
        external,
      }),
    ),
  );
  return {
    urlOf: (entry) => new URL(`${nameOf(entry)}.mjs`, dir).href,
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
