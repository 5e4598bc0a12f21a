import { cpSync, existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { isSdkImport, NEVER_LOADED } from '../functions/manifest/index.ts';
import { builtHere, FUNCTION_ARCHITECTURE, FUNCTION_RUNTIME, PROJECT_ROOT } from './handler-function.ts';

/** Folders of a package that nothing loads at run time: type declarations, and packages nested in it. */
const NOT_SHIPPED = new Set(['dist-types', 'node_modules']);

interface PackageJson {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const packageJsonOf = (dir: string): PackageJson =>
  JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

/** The folder Node.js loads a package from when `from` (a package folder, or the root) requires it. */
function resolvePackage(root: string, from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const found = join(dir, 'node_modules', name);
    if (existsSync(join(found, 'package.json'))) return found;
    if (dir === root || dir === dirname(dir)) return undefined;
  }
}

/**
 * The folders, relative to `root` (`node_modules/@aws-sdk/client-sfn`, or a nested
 * `node_modules/a/node_modules/b`), of the SDK packages `root`'s package.json depends on (SDK_PACKAGES) and of
 * the packages they depend on, found as Node.js finds them, but for those the SDK never loads (NEVER_LOADED).
 * Production dependencies only: each package's `dependencies`, and its optional and peer ones if installed.
 */
function sdkPackageFolders(root: string): string[] {
  const found = new Set<string>();
  const visit = (from: string, name: string, required: boolean): void => {
    if (NEVER_LOADED.includes(name)) return;
    const dir = resolvePackage(root, from, name);
    if (!dir) {
      if (required)
        throw new Error(`${name}, which ${relative(root, from) || 'the project'} needs, is not installed`);
      return;
    }
    if (found.has(dir)) return;
    found.add(dir);
    const { dependencies = {}, optionalDependencies = {}, peerDependencies = {} } = packageJsonOf(dir);
    for (const dep of Object.keys(dependencies)) visit(dir, dep, !(dep in optionalDependencies));
    for (const dep of Object.keys({ ...optionalDependencies, ...peerDependencies })) visit(dir, dep, false);
  };
  for (const name of Object.keys(packageJsonOf(root).dependencies ?? {}).filter(isSdkImport)) {
    visit(root, name, true);
  }
  return [...found].map((dir) => relative(root, dir)).sort();
}

/**
 * The AWS SDK as one Lambda layer, which every function loads it from: no bundle carries it
 * (functions/manifest/bundling.ts), which keeps each bundle small, and the layer is the lockfile's SDK, the
 * version the tests ran against rather than the one the Lambda runtime comes with. Its packages are at
 * `nodejs/node_modules`, which Lambda mounts at /opt/nodejs/node_modules, where a Node.js function's imports
 * (ES module ones included) find them. Copied from node_modules at synth time, as the functions are bundled.
 */
export class SdkLayer extends lambda.LayerVersion {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      description: 'The AWS SDK of the functions, at the version of their lockfile',
      compatibleRuntimes: [FUNCTION_RUNTIME],
      compatibleArchitectures: [FUNCTION_ARCHITECTURE],
      code: lambda.Code.fromAsset(
        PROJECT_ROOT,
        builtHere((outputDir) => {
          for (const folder of sdkPackageFolders(PROJECT_ROOT)) {
            cpSync(join(PROJECT_ROOT, folder), join(outputDir, 'nodejs', folder), {
              recursive: true,
              dereference: true,
              filter: (source) => !NOT_SHIPPED.has(basename(source)),
            });
          }
        }),
      ),
    });
  }
}
