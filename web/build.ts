/**
 * The pages' one build, for the local runtime (which serves the files from memory) and the CDK app (which
 * puts them in the site bucket): esbuild bundles each page's script and style (minified, with source maps)
 * and writes each page's HTML. It runs in Node, at build time; nothing here reaches a browser.
 */
import { buildSync } from 'esbuild';

export interface WebPage {
  /** Where the page is served: `/`, `/supervisor`. */
  path: string;
  title: string;
  /** Its script, relative to web/. */
  entry: string;
  /** Its bundle's name under /assets/, and the id of the `<main>` it renders into. */
  name: string;
}

/** The pages hosted on AWS as well as locally. A local-only page (the CCaaS simulator) is never listed here. */
export const HOSTED_PAGES: readonly WebPage[] = [
  { path: '/', title: 'Agent workspace', entry: 'workspace/main.tsx', name: 'workspace' },
  { path: '/supervisor', title: 'Supervisor view', entry: 'supervisor/main.tsx', name: 'supervisor' },
];

/** One built file: the path a browser asks for, and the key it has in a bucket (`index.html` for `/`). */
export interface WebFile {
  path: string;
  key: string;
  type: string;
  body: Uint8Array;
}

const WEB = new URL('./', import.meta.url);

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
};
const typeOf = (key: string) => CONTENT_TYPES[/\.\w+$/.exec(key)?.[0] ?? ''] ?? 'text/plain';

/** The bucket key of a page's HTML: `index.html` for `/` (CloudFront's default root object), else `<path>.html`. */
export const pageKey = (page: Pick<WebPage, 'path'>) =>
  page.path === '/' ? 'index.html' : `${page.path.slice(1)}.html`;

/**
 * The pages' content security policy: script and style from the page's origin only, no inline script,
 * no framing; `connect` lists where the pages may connect besides their origin (the APIs, the sign-in).
 */
export function contentSecurityPolicy(connect: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src ${["'self'", ...connect].join(' ')}`,
    "img-src 'self' data:",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** A page's HTML: its bundle's style and script, and the `<main id="<name>">` its script renders into. */
const html = ({ title, name }: WebPage) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
    <link rel="stylesheet" href="/assets/${name}.css" />
    <script type="module" src="/assets/${name}.js"></script>
  </head>
  <body>
    <main id="${name}"></main>
  </body>
</html>
`;

/**
 * Builds the pages: their bundles under /assets/ and their HTML. Synchronous, so that the CDK app can call
 * it while it synthesizes (asset bundling is synchronous); it takes well under a second.
 */
export function buildWebPages(pages: readonly WebPage[]): WebFile[] {
  const result = buildSync({
    entryPoints: Object.fromEntries(pages.map((page) => [page.name, new URL(page.entry, WEB).pathname])),
    outdir: '/assets',
    write: false,
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    logLevel: 'silent',
  });
  return [
    ...result.outputFiles.map((file) => ({
      path: file.path,
      key: file.path.slice(1),
      type: typeOf(file.path),
      body: file.contents,
    })),
    ...pages.map((page) => ({
      path: page.path,
      key: pageKey(page),
      type: typeOf('.html'),
      body: new TextEncoder().encode(html(page)),
    })),
  ];
}
