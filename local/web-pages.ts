import type { IncomingMessage, ServerResponse } from 'node:http';
import { build } from 'esbuild';

const WEB = new URL('../web/', import.meta.url);

/**
 * The pages: the path each is served at, its title, and the bundle (script and style) it loads from /assets/.
 * A `localOnly` page is for the local runtime alone and is never deployed: the CCaaS simulator, which speaks
 * for the CCaaS through the /dev routes with the stack's signing secret.
 */
export const PAGES: Record<string, { title: string; entry: string; name: string; localOnly?: true }> = {
  '/': { title: 'Agent workspace', entry: 'workspace/main.tsx', name: 'workspace' },
  '/supervisor': { title: 'Supervisor view', entry: 'supervisor/main.tsx', name: 'supervisor' },
  '/simulator': { title: 'CCaaS simulator', entry: 'simulator/main.tsx', name: 'simulator', localOnly: true },
};

/** A page's HTML: its bundle's style and script, and the `<main id="<name>">` its script renders into. */
const html = ({ title, name }: { title: string; name: string }) => `<!doctype html>
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

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

/** No script or style from anywhere else, no inline script; the socket and REST on this origin only. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

export type WebPages = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;

/** A file the runtime serves: its content type and bytes. */
export interface ServedFile {
  type: string;
  body: Uint8Array;
}

/**
 * The web pages of `web/`, bundled by esbuild in memory (minified, with source maps): each page's HTML at
 * its path, and its script, style and maps under /assets/.
 */
export async function bundleWebPages(): Promise<Map<string, ServedFile>> {
  const result = await build({
    entryPoints: Object.fromEntries(
      Object.values(PAGES).map((page) => [page.name, new URL(page.entry, WEB).pathname]),
    ),
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
  const files = new Map<string, ServedFile>();
  for (const file of result.outputFiles) {
    files.set(file.path, {
      type: TYPES[/\.\w+$/.exec(file.path)?.[0] ?? ''] ?? 'text/plain',
      body: file.contents,
    });
  }
  for (const [path, page] of Object.entries(PAGES)) {
    files.set(path, { type: TYPES['.html'] as string, body: new TextEncoder().encode(html(page)) });
  }
  return files;
}

/**
 * The pages, bundled when the runtime starts, so `npm start` and every test that starts a runtime serve what
 * the sources say now. Served on the public port only, for GET and HEAD; on AWS the same bundles (but the
 * local-only pages) go to S3 behind CloudFront.
 */
export async function buildWebPages(): Promise<WebPages> {
  const files = await bundleWebPages();
  return (req, res, url) => {
    const file = req.method === 'GET' || req.method === 'HEAD' ? files.get(url.pathname) : undefined;
    if (!file) return false;
    res.writeHead(200, {
      'content-type': file.type,
      'content-length': file.body.length,
      ...SECURITY_HEADERS,
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
    return true;
  };
}
