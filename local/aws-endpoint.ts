import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Refusal } from './grants.ts';
import { listen, readBody, requestTarget, sendJson } from './http-io.ts';

/** An AWS JSON-protocol service (DynamoDB, Step Functions, EventBridge) reached by its X-Amz-Target. */
export type AwsService = (
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  operation: string,
) => void | Promise<void>;

/** The WebSocket API's management API: what a POST, GET or DELETE on one connection did. */
export type ManageConnection = (
  method: string,
  connectionId: string,
  body: Buffer,
) => { status: number; body?: unknown; headers?: Record<string, string> };

export interface AwsEndpointOptions {
  /** X-Amz-Target prefix (e.g. 'DynamoDB_20120810') → the service and its IAM prefix (`dynamodb`). */
  services: Record<string, { iam: string; handle: AwsService }>;
  /**
   * IAM: whether the request's signer may perform the action (`dynamodb:GetItem`) with this body (parsed
   * only when the signer's grants depend on it).
   */
  authorize: (authorization: string | undefined, action: string, body: () => unknown) => Refusal | undefined;
  /** `@connections/{connectionId}`, as the gateway that holds the sockets answers it. */
  connections: ManageConnection;
  /** The token issuer's keys, which the authorizer fetches (Cognito's JWKS on AWS). */
  jwks: () => unknown;
  onError: (message: string, error: unknown) => void;
  /**
   * Milliseconds to wait before a service answers a request (by IAM prefix, `execute-api` for
   * `@connections`, and operation, or the HTTP method): AWS's own latencies, for the bench. None by default.
   */
  latencyMs?: (service: string, operation: string) => number;
}

/** Resolves after `ms` (at once, synchronously, when it is 0). */
export const pause = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : undefined);

/**
 * The AWS services the functions call, on a port of their own that listens on loopback only: the local
 * DynamoDB, Step Functions and EventBridge (by X-Amz-Target), the WebSocket API's `@connections`, and the
 * JWKS. Nobody on the network reaches the state behind them, whatever address the public port is bound to.
 */
export function createAwsEndpoint(options: AwsEndpointOptions) {
  const server: Server = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const url = requestTarget(req);
      const target = req.headers['x-amz-target'];
      const authorization = req.headers.authorization;
      if (typeof target === 'string') {
        const [prefix, operation] = target.split('.');
        const service = prefix ? options.services[prefix] : undefined;
        if (!service || !operation) {
          return sendJson(res, 400, {
            __type: 'UnknownOperationException',
            message: `unknown target ${target}`,
          });
        }
        const refusal = options.authorize(authorization, `${service.iam}:${operation}`, () => parsed(body));
        if (refusal) return sendJson(res, 400, { __type: refusal.type, message: refusal.message });
        await pause(options.latencyMs?.(service.iam, operation) ?? 0);
        return await service.handle(req, res, body, operation);
      }
      const connection = /^\/@connections\/([^/]+)$/.exec(url.pathname)?.[1];
      if (connection) {
        // API Gateway answers a refused management call with a bare 403.
        if (options.authorize(authorization, 'execute-api:ManageConnections', () => ({}))) {
          res.writeHead(403, {
            'content-type': 'application/json',
            'x-amzn-errortype': 'ForbiddenException',
          });
          return res.end(JSON.stringify({ message: 'Forbidden' }));
        }
        await pause(options.latencyMs?.('execute-api', req.method ?? 'GET') ?? 0);
        const answer = options.connections(req.method ?? 'GET', decodeURIComponent(connection), body);
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        return res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      }
      // The authorizer's key set, as Cognito's JWKS URL is to it on AWS (clients have GET /dev/jwks).
      if (req.method === 'GET' && url.pathname === '/jwks') return sendJson(res, 200, options.jwks());
      sendJson(res, 404, { __type: 'UnknownOperationException', message: `nothing at ${url.pathname}` });
    } catch (err) {
      options.onError('local AWS request failed', err);
      if (!res.headersSent) sendJson(res, 500, { __type: 'InternalFailure', message: String(err) });
      else res.end();
    }
  });
  return {
    /** Listens on a free loopback port; resolves to the endpoint URL the functions' SDK clients use. */
    async listen(): Promise<string> {
      return `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function parsed(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8') || '{}');
  } catch {
    return {};
  }
}
