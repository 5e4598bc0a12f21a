import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { listen, readBody, requestTarget } from './http-io.ts';

/**
 * A request to the local AWS services, as a signed SDK request sends it: over HTTP (tests, tools) or handed
 * over in process by the functions' SDK clients (local/in-process-aws.ts). Header names in lower case.
 */
export interface AwsRequest {
  method: string;
  /** The path and query, as on the request line. */
  target: string;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/** The local services' answer, written as it is to an HTTP response or handed back to an SDK client. */
export interface AwsResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

/** One request to the local AWS services, whichever way it came: the IAM check, then the service's answer. */
export type AwsDispatch = (request: AwsRequest) => Promise<AwsResponse>;

/**
 * An AWS JSON-protocol service (DynamoDB, Step Functions, EventBridge) reached by its X-Amz-Target, with the
 * request's body as JSON (parsed once per request, for IAM and the service; `{}` when it is not JSON).
 */
export type AwsService = (
  request: AwsRequest,
  operation: string,
  json: () => unknown,
) => AwsResponse | Promise<AwsResponse>;

/** The WebSocket API's management API: what a POST, GET or DELETE on one connection did. */
export type ManageConnection = (
  method: string,
  connectionId: string,
  body: Buffer,
) => { status: number; body?: unknown; headers?: Record<string, string> };

export interface AwsEndpointOptions {
  /**
   * X-Amz-Target prefix (e.g. 'DynamoDB_20120810') → the service and its IAM prefix (`dynamodb`). A service
   * that `checksItself` is handed its requests unchecked: it checks IAM and adds its latency itself (the
   * local DynamoDB, which the functions also reach directly in its thread).
   */
  services: Record<string, { iam: string; handle: AwsService; checksItself?: boolean }>;
  /**
   * IAM: whether the request's signer may perform the action (`dynamodb:GetItem`) with this body (parsed
   * only when the signer's grants depend on it); when not, AWS's error type and message (local/grants.ts).
   */
  authorize: (
    authorization: string | undefined,
    action: string,
    body: () => unknown,
  ) => { type: string; message: string } | undefined;
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

/** A request refused by IAM, as an AWS JSON-protocol service answers it. */
export const refusalResponse = ({ type, message }: { type: string; message: string }): AwsResponse =>
  jsonResponse(400, { __type: type, message });

/** A request body as JSON, `{}` when it is none or not JSON (IAM then finds no resource in it). */
export function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text || '{}');
  } catch {
    return {};
  }
}

/** An error as DynamoDB answers it (`InternalServerError`, `ServiceUnavailable`), which the SDK types. */
export const dynamoDbError = (status: number, type: string, message: string): AwsResponse =>
  jsonResponse(
    status,
    { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message },
    'application/x-amz-json-1.0',
  );

/** A JSON answer. */
export function jsonResponse(status: number, body: unknown, contentType = 'application/json'): AwsResponse {
  return { status, headers: { 'content-type': contentType }, body: JSON.stringify(body) };
}

/**
 * A service of the AWS JSON protocol (`x-amz-json-1.0` or `1.1`) whose operations take the request's body
 * as text and answer a status and a JSON body (local/aws-json-api.ts).
 */
export function jsonProtocolService(
  iam: string,
  version: '1.0' | '1.1',
  handle: (operation: string, body: string) => Promise<{ status: number; body: unknown }>,
): { iam: string; handle: AwsService } {
  return {
    iam,
    handle: async (request, operation) => {
      const out = await handle(operation, request.body.toString('utf8'));
      return jsonResponse(out.status, out.body, `application/x-amz-json-${version}`);
    },
  };
}

/**
 * The AWS services the functions call: the local DynamoDB, Step Functions, EventBridge, SQS and Cognito (by
 * X-Amz-Target), the WebSocket API's `@connections`, and the JWKS, each request checked against IAM first.
 * `dispatch` is the one place that answers them: the functions' SDK clients hand it their requests in
 * process, and `listen` serves it on a port of its own, on loopback only, for tests and tools. Nobody on the
 * network reaches the state behind it, whatever address the public port is bound to.
 */
export function createAwsEndpoint(options: AwsEndpointOptions) {
  async function answer(request: AwsRequest): Promise<AwsResponse> {
    const url = requestTarget({ url: request.target });
    const target = request.headers['x-amz-target'];
    const authorization = request.headers.authorization;
    let body: unknown;
    const json = () => {
      body ??= parsedJson(request.body.toString('utf8'));
      return body;
    };
    if (target !== undefined) {
      const [prefix, operation] = target.split('.');
      const service =
        prefix && Object.hasOwn(options.services, prefix) ? options.services[prefix] : undefined;
      if (!service || !operation) {
        return jsonResponse(400, {
          __type: 'UnknownOperationException',
          message: `unknown target ${target}`,
        });
      }
      if (!service.checksItself) {
        const refusal = options.authorize(authorization, `${service.iam}:${operation}`, json);
        if (refusal) return refusalResponse(refusal);
        await pause(options.latencyMs?.(service.iam, operation) ?? 0);
      }
      return await service.handle(request, operation, json);
    }
    const connection = /^\/@connections\/([^/]+)$/.exec(url.pathname)?.[1];
    if (connection) {
      // API Gateway answers a refused management call with a bare 403.
      if (options.authorize(authorization, 'execute-api:ManageConnections', () => ({}))) {
        return {
          status: 403,
          headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'ForbiddenException' },
          body: JSON.stringify({ message: 'Forbidden' }),
        };
      }
      await pause(options.latencyMs?.('execute-api', request.method) ?? 0);
      const managed = options.connections(request.method, decodeURIComponent(connection), request.body);
      return {
        status: managed.status,
        headers: { 'content-type': 'application/json', ...managed.headers },
        body: managed.body === undefined ? '' : JSON.stringify(managed.body),
      };
    }
    // The authorizer's key set, as Cognito's JWKS URL is to it on AWS (clients have GET /dev/jwks).
    if (request.method === 'GET' && url.pathname === '/jwks') return jsonResponse(200, options.jwks());
    return jsonResponse(404, { __type: 'UnknownOperationException', message: `nothing at ${url.pathname}` });
  }

  const dispatch: AwsDispatch = async (request) => {
    try {
      return await answer(request);
    } catch (err) {
      options.onError('local AWS request failed', err);
      return jsonResponse(500, { __type: 'InternalFailure', message: String(err) });
    }
  };
  const server = serveOverHttp(dispatch);
  return {
    dispatch,
    /**
     * Listens on a free loopback port; resolves to the endpoint URL the functions' SDK clients are given
     * (their requests to it are handed to `dispatch` in process).
     */
    async listen(): Promise<string> {
      return `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An HTTP server (not yet listening) that answers every request with `dispatch`. */
function serveOverHttp(dispatch: AwsDispatch): Server {
  return createServer((req, res) => {
    readBody(req)
      .then((body) =>
        dispatch({
          method: req.method ?? 'GET',
          target: req.url ?? '/',
          headers: singleValued(req.headers),
          body,
        }),
      )
      .then(
        (answer) => {
          res.writeHead(answer.status, answer.headers);
          res.end(answer.body);
        },
        // The request broke off before its body was read: nobody is left to answer.
        () => res.destroy(),
      );
  });
}

function singleValued(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]),
  );
}
