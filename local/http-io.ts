import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Answers with a JSON body. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** The whole request body. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The request's target as a URL, read as a path whatever it looks like (`//`, `/a//b`, `*`): after a known
 * origin, any such text parses. `new URL(target, base)` would read `//x` as another host.
 */
export function requestTarget(req: Pick<IncomingMessage, 'url'>): URL {
  const target = req.url ?? '/';
  return new URL(`http://localhost${target.startsWith('/') ? target : `/${target}`}`);
}

/** Listens on the port (0: a free one) and resolves to it; rejects when it cannot (the port is taken). */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
