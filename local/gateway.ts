import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { HTTP_API_CORS, type Trigger } from '../functions/manifest/index.ts';
import type { ManageConnection } from './aws-endpoint.ts';
import { readBody, requestTarget, sendJson } from './http-io.ts';
import { limitFrames, MAX_MESSAGE_BYTES } from './ws-limits.ts';

export type Invoke = (event: unknown) => Promise<unknown>;

export interface GatewayRoutes {
  http: { route: Extract<Trigger, { type: 'http' }>; invoke: Invoke }[];
  ws: Map<string, Invoke>;
  authorizer: Invoke;
}

export interface GatewayOptions {
  routes: GatewayRoutes;
  /** Local-only routes (/dev/*, /): return true when handled. */
  extra: (req: IncomingMessage, res: ServerResponse, body: Buffer, url: URL) => Promise<boolean>;
  /** The HTTP API's JWT authorizer, on every route but the signed ones: the verified claims, or none (401). */
  jwtClaims: (authorization: string | undefined) => Promise<Record<string, string> | undefined>;
  onError: (message: string, error: unknown) => void;
}

function compile(path: string): RegExp {
  return new RegExp(`^${path.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`);
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

/**
 * API Gateway on one machine, on the public port: the HTTP API's routes (payload format 2.0, a JWT
 * authorizer on all but the signed CCaaS callbacks) and the WebSocket API on `/ws` (REQUEST authorizer on
 * $connect, route selection on `$request.body.action`, $default, $disconnect). Its `@connections` management API is served to the functions only, by the
 * local AWS endpoint (aws-endpoint.ts), not on the public port.
 */
export function createGateway(options: GatewayOptions) {
  const routes = options.routes.http.map((r) => ({ ...r, pattern: compile(r.route.path) }));
  const sockets = new Map<string, { socket: WebSocket; authorizer: Record<string, unknown> }>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  /** Socket route invocations under way, so that shutting down can wait for them. */
  const socketRoutes = new Set<Promise<unknown>>();
  const track = (invocation: Promise<unknown>) => {
    socketRoutes.add(invocation);
    void invocation.finally(() => socketRoutes.delete(invocation));
  };

  async function httpRoute(req: IncomingMessage, res: ServerResponse, body: Buffer, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    // CORS as the HTTP API is configured (HTTP_API_CORS): API Gateway answers a preflight itself, on any
    // path, and adds the allowed origin to every answer to a request that names its origin.
    if (req.headers.origin) {
      res.setHeader('access-control-allow-origin', HTTP_API_CORS.allowOrigins.join(','));
      if (method === 'OPTIONS' && req.headers['access-control-request-method']) {
        res.writeHead(204, {
          'access-control-allow-methods': HTTP_API_CORS.allowMethods.join(','),
          'access-control-allow-headers': HTTP_API_CORS.allowHeaders.join(','),
          'access-control-max-age': String(HTTP_API_CORS.maxAgeSeconds),
        });
        res.end();
        return;
      }
    }
    for (const { route, invoke, pattern } of routes) {
      const match = route.method === method ? pattern.exec(url.pathname) : null;
      if (!match) continue;
      const requestId = randomUUID();
      // Like API Gateway, path parameters reach the function percent-decoded; a path that cannot be is refused.
      const pathParameters = match.groups ? decodedParams(match.groups) : undefined;
      if (pathParameters === null) {
        const message = `the path ${url.pathname} is not valid percent-encoding`;
        return sendJson(
          res,
          400,
          { error: { code: 'BAD_REQUEST', message, requestId } },
          { 'apigw-requestid': requestId },
        );
      }
      // Like the HTTP API's JWT authorizer: no valid token, no function, and API Gateway's own 401 body.
      const claims = route.signed ? undefined : await options.jwtClaims(req.headers.authorization);
      if (!route.signed && !claims) {
        return sendJson(res, 401, { message: 'Unauthorized' }, { 'apigw-requestid': requestId });
      }
      const query = Object.fromEntries(url.searchParams.entries());
      const event = {
        version: '2.0',
        routeKey: `${route.method} ${route.path}`,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers: headersOf(req),
        ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
        ...(pathParameters ? { pathParameters } : {}),
        ...(body.length ? { body: body.toString('utf8') } : {}),
        isBase64Encoded: false,
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          domainName: req.headers.host ?? 'localhost',
          http: {
            method,
            path: url.pathname,
            protocol: 'HTTP/1.1',
            sourceIp: req.socket.remoteAddress ?? '',
            userAgent: req.headers['user-agent'] ?? '',
          },
          requestId,
          ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
          routeKey: `${route.method} ${route.path}`,
          stage: '$default',
          time: new Date().toUTCString(),
          timeEpoch: Date.now(),
        },
      };
      try {
        const out = (await invoke(event)) as {
          statusCode?: number;
          headers?: Record<string, string>;
          body?: string;
        };
        res.writeHead(out.statusCode ?? 200, { 'apigw-requestid': requestId, ...(out.headers ?? {}) });
        res.end(out.body ?? '');
      } catch (err) {
        options.onError(`${route.method} ${route.path} failed`, err);
        sendJson(res, 500, { message: 'Internal Server Error' }, { 'apigw-requestid': requestId });
      }
      return;
    }
    sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${method} ${url.pathname}` } });
  }

  const manageConnection: ManageConnection = (method, id, body) => {
    const entry = sockets.get(id);
    if (!entry || entry.socket.readyState !== WebSocket.OPEN) {
      return { status: 410, body: { message: 'Gone' }, headers: { 'x-amzn-errortype': 'GoneException' } };
    }
    if (method === 'POST') entry.socket.send(body.toString('utf8'));
    else if (method === 'DELETE') entry.socket.close(1000, 'closed by server');
    return method === 'GET'
      ? { status: 200, body: { connectedAt: new Date().toISOString() } }
      : { status: 200 };
  };

  const server: Server = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const url = requestTarget(req);
      if (await options.extra(req, res, body, url)) return;
      await httpRoute(req, res, body, url);
    } catch (err) {
      options.onError('request failed', err);
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal Server Error' });
      else res.end();
    }
  });

  function reject(socket: Duplex, status: number, text: string): void {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  function wsEvent(
    connectionId: string,
    routeKey: string,
    authorizer: Record<string, unknown>,
    body?: string,
  ) {
    return {
      ...(body !== undefined ? { body, isBase64Encoded: false } : {}),
      requestContext: {
        connectionId,
        routeKey,
        eventType:
          routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE',
        requestId: randomUUID(),
        apiId: 'local',
        stage: 'local',
        authorizer,
      },
    };
  }

  function routeOf(text: string): string {
    try {
      const action = (JSON.parse(text) as { action?: unknown }).action;
      if (typeof action === 'string' && options.routes.ws.has(action) && !action.startsWith('$'))
        return action;
    } catch {
      // not JSON: API Gateway sends it to $default
    }
    return '$default';
  }

  async function invokeWs(routeKey: string, event: unknown): Promise<{ statusCode?: number } | undefined> {
    const invoke = options.routes.ws.get(routeKey);
    if (!invoke) return undefined;
    return (await invoke(event)) as { statusCode?: number };
  }

  server.on('upgrade', async (req, socket, head) => {
    // Until ws takes the socket over, nobody else listens: a reset connection must not be an uncaught error.
    socket.on('error', () => socket.destroy());
    try {
      const url = requestTarget(req);
      if (url?.pathname !== '/ws') return reject(socket, 404, 'Not Found');
      const connectionId = randomBytes(9).toString('base64').replace(/[+/]/g, 'A');
      let authorizer: Record<string, unknown>;
      try {
        const policy = (await options.routes.authorizer({
          type: 'REQUEST',
          methodArn: 'arn:aws:execute-api:us-east-1:000000000000:local/local/$connect',
          headers: headersOf(req),
          queryStringParameters: Object.fromEntries(url.searchParams.entries()),
          requestContext: { connectionId, routeKey: '$connect', eventType: 'CONNECT' },
        })) as {
          principalId: string;
          policyDocument: { Statement: { Effect: string }[] };
          context?: Record<string, unknown>;
        };
        if (policy.policyDocument.Statement.some((s) => s.Effect !== 'Allow'))
          return reject(socket, 403, 'Forbidden');
        authorizer = { principalId: policy.principalId, ...(policy.context ?? {}) };
      } catch {
        return reject(socket, 401, 'Unauthorized');
      }
      const connected = await invokeWs('$connect', wsEvent(connectionId, '$connect', authorizer));
      if (connected?.statusCode && connected.statusCode >= 300)
        return reject(socket, connected.statusCode, 'Refused');
      wss.handleUpgrade(req, socket, head, (ws) => {
        sockets.set(connectionId, { socket: ws, authorizer });
        limitFrames(ws);
        // A frame that breaks the protocol or a quota: ws closes the socket with the matching code (1002,
        // 1007, 1009), as API Gateway would. It is the client's fault, not the runtime's: nothing to report.
        ws.on('error', () => undefined);
        ws.on('message', (data, isBinary) => {
          const text = isBinary ? Buffer.from(data as Buffer).toString('base64') : data.toString();
          const routeKey = routeOf(text);
          track(
            invokeWs(routeKey, wsEvent(connectionId, routeKey, authorizer, text)).catch((err) =>
              options.onError(`socket route ${routeKey} failed`, err),
            ),
          );
        });
        ws.on('close', () => {
          sockets.delete(connectionId);
          track(
            invokeWs('$disconnect', wsEvent(connectionId, '$disconnect', authorizer)).catch((err) =>
              options.onError('socket $disconnect failed', err),
            ),
          );
        });
      });
    } catch (err) {
      options.onError('upgrade failed', err);
      reject(socket, 500, 'Internal Server Error');
    }
  });

  return {
    server,
    manageConnection,
    /**
     * Closes every agent socket and waits for the socket routes under way, `$disconnect` included. The port
     * stays open until close(): requests under way get their answers.
     */
    async disconnectAll(): Promise<void> {
      const closed = [...sockets.values()].map(
        ({ socket }) => new Promise<void>((resolve) => socket.once('close', () => resolve())),
      );
      for (const { socket } of sockets.values()) socket.terminate();
      wss.close();
      await Promise.all(closed);
      while (socketRoutes.size > 0) await Promise.allSettled([...socketRoutes]);
    },
    /** Stops listening, once nothing runs any more. */
    async close(): Promise<void> {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Each path parameter percent-decoded, or null when one is not valid percent-encoding. */
function decodedParams(groups: Record<string, string>): Record<string, string> | null {
  try {
    return Object.fromEntries(
      Object.entries(groups).map(([name, value]) => [name, decodeURIComponent(value)]),
    );
  } catch {
    return null;
  }
}
