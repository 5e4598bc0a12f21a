import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The project root. Every path below is relative to it, with forward slashes: `functions/core/call.ts`. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FOLDERS = ['functions', 'local', 'lib', 'bin', 'client', 'web'];
const CONTAINER = 'functions/handlers/shared/container.ts';

/**
 * One import of a file: `target` is the project path it resolves to, or the bare specifier if external;
 * `typeOnly` when it is `import type` / `export type`, which nothing loads at run time.
 */
type Import = { from: string; target: string; external: boolean; typeOnly: boolean };
type Source = { path: string; code: string; imports: Import[] };

/**
 * Strings, template literals, regex literals (after an operator) and comments, in one pass: comments are
 * blanked (keeping line breaks and columns), the rest is kept, so a `//` or `/*` inside a string or regex
 * does not start a comment.
 */
const TOKENS =
  /'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`|(?<=(?:^|[=(,:!&|?{};[]|\breturn)\s*)\/(?![*/])(?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n[])+\/|\/\*[\s\S]*?\*\/|\/\/[^\n]*/gm;
const withoutComments = (text: string) =>
  text.replace(TOKENS, (token) => (/^\/[*/]/.test(token) ? token.replace(/[^\n]/g, ' ') : token));

const IMPORTS = [
  /(?:^|;)[ \t]*(?:import|export)\b[\w\s{},*$]*?\bfrom\s*['"]([^'"\n]+)['"]/gm, // import/export (type) … from '…'
  /(?:^|;)[ \t]*import\s*['"]([^'"\n]+)['"]/gm, // import './side-effect.ts'
  /\bimport\s*\(\s*['"]([^'"\n]+)['"]\s*[,)]/g, // import('…'), await import('…')
];

function resolve(from: string, spec: string, typeOnly: boolean): Import {
  if (!spec.startsWith('.')) return { from, target: spec, external: true, typeOnly };
  const target = posix.join(posix.dirname(from), spec);
  const asTs = target.replace(/\.js$/, '.ts'); // NodeNext spelling of a .ts file
  const exists = (path: string) => existsSync(join(ROOT, path));
  return { from, target: !exists(target) && exists(asTs) ? asTs : target, external: false, typeOnly };
}

function read(path: string): Source {
  const code = withoutComments(readFileSync(join(ROOT, path), 'utf8'));
  const imports = IMPORTS.flatMap((pattern) =>
    [...code.matchAll(pattern)].map((match) =>
      resolve(path, match[1] as string, /^[;\s]*(import|export)\s+type\s/.test(match[0])),
    ),
  );
  return { path, code, imports };
}

const sources: Source[] = FOLDERS.flatMap((folder) =>
  readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.tsx?$/.test(name))
    .map((name) => `${folder}/${name.split(sep).join('/')}`),
)
  .sort()
  .map(read);
const known = new Set(sources.map((source) => source.path));

/** The sources under a folder; a rule about an empty folder would pass without checking anything. */
function under(prefix: string): Source[] {
  const found = sources.filter((source) => source.path.startsWith(prefix));
  expect(found.length, `no source file under ${prefix}`).toBeGreaterThan(0);
  return found;
}

const importsOf = (files: Source[]) => files.flatMap((source) => source.imports);
const internal = (files: Source[]) => importsOf(files).filter((imp) => !imp.external);
const show = (imp: Import) => `${imp.from} → ${imp.target}`;

/** Lines of code (comments blanked) matching a pattern, as `file:line → text`. */
const linesMatching = (source: Source, pattern: RegExp, keep = (_line: string) => true) =>
  source.code
    .split('\n')
    .map((line, index) => ({ line, at: `${source.path}:${index + 1}` }))
    .filter(({ line }) => pattern.test(line) && keep(line))
    .map(({ line, at }) => `${at} → ${line.trim()}`);

function expectNone(offenders: string[], rule: string) {
  expect(offenders.length, `${rule}:\n  ${offenders.join('\n  ')}\n`).toBe(0);
}

/**
 * What some files load at run time, followed through the project files they import, whichever folder they
 * are in: the files loaded, and every import met on the way. Types may come from anywhere (the handlers'
 * schemas, the core's messages): nothing loads them.
 */
function loadedFrom(files: Source[]): { loaded: Set<string>; reached: Import[] } {
  const loaded = new Set<string>();
  const reached: Import[] = [];
  const follow = (from: Source[]) => {
    for (const imp of importsOf(from).filter((i) => !i.typeOnly)) {
      reached.push(imp);
      if (imp.external || loaded.has(imp.target)) continue;
      loaded.add(imp.target);
      follow(sources.filter((source) => source.path === imp.target));
    }
  };
  follow(files);
  return { loaded, reached };
}

/** Import cycles among the sources, one per back edge of a depth-first walk, as `a.ts → b.ts → a.ts`. */
function cycles(): string[] {
  const found: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const edges = new Map(
    sources.map((source) => [source.path, new Set(internal([source]).map((i) => i.target))]),
  );
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const target of [...(edges.get(file) ?? [])].filter((path) => known.has(path))) {
      if (state.get(target) === 'open')
        found.push([...stack.slice(stack.indexOf(target)), target].join(' → '));
      else if (!state.has(target)) visit(target);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of known) if (!state.has(file)) visit(file);
  return found;
}

describe('the architecture', () => {
  it('is read from every source file, whose relative imports all resolve to files', () => {
    expect(sources.length, 'source files found').toBeGreaterThan(50);
    expect(internal(sources).length, 'relative imports found').toBeGreaterThan(100);
    under('functions/core/');
    expectNone(
      internal(sources)
        .filter((imp) => !existsSync(join(ROOT, imp.target)))
        .map(show),
      'relative imports that resolve to no file (a file moved, or an import misread)',
    );
  });

  it('has no import cycles', () => {
    expect(sources.length, 'source files found').toBeGreaterThan(50);
    expectNone(cycles(), 'import cycles');
  });

  it('keeps the core pure: only core modules and node: builtins, no process.env', () => {
    const core = under('functions/core/');
    expectNone(
      [
        ...importsOf(core)
          .filter((imp) =>
            imp.external ? !imp.target.startsWith('node:') : !imp.target.startsWith('functions/core/'),
          )
          .map(show),
        ...core.flatMap((source) => linesMatching(source, /\bprocess\s*\.\s*env\b/)),
      ],
      'functions/core/ reaching outside the core',
    );
  });

  it('points the arrows inward: adapters not to handlers, manifest only to core, functions not outward', () => {
    expectNone(
      internal(under('functions/'))
        .filter(
          (imp) =>
            (imp.from.startsWith('functions/adapters/') && imp.target.startsWith('functions/handlers/')) ||
            (imp.from.startsWith('functions/manifest/') &&
              !/^functions\/(manifest|core)\//.test(imp.target)) ||
            /^(local|lib|bin|test|client)\//.test(imp.target),
        )
        .map(show),
      'imports pointing outward',
    );
  });

  it('keeps the agent client loadable in a browser: at run time it reaches no package and no node: builtin', () => {
    const { loaded, reached } = loadedFrom(under('client/'));
    expect(loaded.size, 'project files the client loads').toBeGreaterThan(0);
    expectNone(reached.filter((imp) => imp.external).map(show), 'packages the client would load at run time');
  });

  it('keeps the pages to the browser: at run time they load Preact, the agent client and the pure core only', () => {
    // Followed from each page's script (web/build.ts, their build, runs in Node: no page loads it).
    const { reached } = loadedFrom(under('web/').filter((source) => source.path.endsWith('/main.tsx')));
    expectNone(
      reached
        .filter((imp) =>
          imp.external
            ? !/^preact(\/|$)/.test(imp.target)
            : !/^(web|client|functions\/core)\//.test(imp.target) ||
              imp.target.startsWith('functions/core/use-cases/'),
        )
        .map(show),
      'what a page would load besides Preact, the agent client and the core',
    );
  });

  it('lets lib/, bin/ and local/ reach functions/ only through the manifest', () => {
    const outside = sources.filter((source) => /^(lib|bin|local)\//.test(source.path));
    const intoFunctions = internal(outside).filter((imp) => imp.target.startsWith('functions/'));
    expect(intoFunctions.length, 'imports from lib/, bin/ and local/ into functions/').toBeGreaterThan(0);
    expectNone(
      intoFunctions.filter((imp) => !imp.target.startsWith('functions/manifest/')).map(show),
      'imports into functions/ that bypass functions/manifest/',
    );
  });

  it('lets handlers enter the core through the use cases index, never through single use cases or steps', () => {
    const intoCore = internal(under('functions/handlers/')).filter((imp) =>
      imp.target.startsWith('functions/core/'),
    );
    expect(intoCore.length, 'imports from functions/handlers/ into functions/core/').toBeGreaterThan(0);
    expectNone(
      intoCore
        .filter(
          (imp) =>
            imp.target.startsWith('functions/core/steps/') ||
            (imp.target.startsWith('functions/core/use-cases/') &&
              imp.target !== 'functions/core/use-cases/index.ts'),
        )
        .map(show),
      'handler imports of core internals',
    );
  });

  it('builds clients only in the composition root', () => {
    const isDefinition = (line: string) =>
      /^\s*(export\s+)?(async\s+)?function\s+make\w*Client\s*\(/.test(line);
    expectNone(
      under('functions/')
        .filter((source) => source.path !== CONTAINER)
        .flatMap((source) => [
          ...linesMatching(source, /\bnew\s+\w*Client\s*\(/),
          ...linesMatching(
            source,
            /\bmake\w*Client\s*\(/,
            (line) => !(source.path.startsWith('functions/adapters/') && isDefinition(line)),
          ),
        ]),
      `clients built or client builders called outside ${CONTAINER}`,
    );
  });

  it('keeps no request state in module variables of the handlers', () => {
    expectNone(
      under('functions/handlers/').flatMap((source) => [
        ...(source.path === CONTAINER ? [] : linesMatching(source, /^(export\s+)?(let|var)\s/)),
        ...linesMatching(source, /^(export\s+)?const\s+[\w$]+(\s*:[^=]+)?\s*=\s*new\s+(WeakMap|Map)\b/),
      ]),
      'module-level let or Map/WeakMap in functions/handlers/',
    );
  });
});
