import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  buildWebPages,
  contentSecurityPolicy,
  HOSTED_PAGES,
  type WebFile,
  type WebPage,
} from '../web/build.ts';
import { CONFIG_PATH, type PagesConfig } from '../web/shared/config.ts';

/**
 * The CCaaS simulator: for the local runtime alone, never deployed (it speaks for the CCaaS through the /dev
 * routes with the stack's signing secret), so it is not one of HOSTED_PAGES.
 */
export const SIMULATOR_PAGE: WebPage = {
  path: '/simulator',
  title: 'CCaaS simulator',
  entry: 'simulator/main.tsx',
  name: 'simulator',
};

/** Every page the local runtime serves: the hosted ones and the simulator. */
export const LOCAL_PAGES: readonly WebPage[] = [...HOSTED_PAGES, SIMULATOR_PAGE];

/** Locally the pages sign in with the dev issuer, and find REST and the socket on their own origin. */
const LOCAL_CONFIG: PagesConfig = { mode: 'local' };

export type WebPages = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;

/**
 * The web pages of `web/`, built in memory when the runtime starts (web/build.ts, the very build the CDK
 * app deploys, plus the local-only simulator), so `npm start` and every test that starts a runtime serve
 * what the sources say now, with a `/config.json` that says "local". Served on the public port only, for
 * GET and HEAD. No script or style from anywhere else, no inline script; the socket and REST on this origin
 * only. (A test serves them as CloudFront does, with another config and the places it names.)
 */
export function serveWebPages({
  config = LOCAL_CONFIG,
  connectTo = ['ws:', 'wss:'],
}: {
  config?: PagesConfig;
  connectTo?: string[];
} = {}): WebPages {
  const headers = {
    'content-security-policy': contentSecurityPolicy(connectTo),
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  };
  const files = new Map<string, Pick<WebFile, 'type' | 'body'>>(
    buildWebPages(LOCAL_PAGES).map((file) => [file.path, file]),
  );
  files.set(CONFIG_PATH, {
    type: 'application/json',
    body: new TextEncoder().encode(JSON.stringify(config)),
  });
  return (req, res, url) => {
    const file = req.method === 'GET' || req.method === 'HEAD' ? files.get(url.pathname) : undefined;
    if (!file) return false;
    res.writeHead(200, {
      'content-type': file.type,
      'content-length': file.body.length,
      ...headers,
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
    return true;
  };
}
