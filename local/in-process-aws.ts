import type { MessagePort } from 'node:worker_threads';
import { HttpResponse } from '@smithy/core/protocols';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsDispatch } from './aws-endpoint.ts';

/**
 * The functions' SDK calls to the local AWS endpoint, without the loopback: the SDK clients in the Lambda
 * worker keep their whole middleware stack (serialization, signing, retries, error parsing), and only the
 * last step, sending the signed request, hands it over by MessagePort to the endpoint's `dispatch` on the
 * main thread, the very function its HTTP server answers with (IAM, service routing, `@connections`), or
 * straight to a service that runs in a thread of its own and checks its requests itself (DynamoDB).
 */

/** A signed request, as the Lambda worker passes it on. Header names in lower case. */
export interface HandedRequest {
  id: number;
  method: string;
  target: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
}
export type HandedResponse = {
  id: number;
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
};

/** The main thread's side: answers the requests of the Lambda worker that holds the other end of `port`. */
export function answerHandedRequests(port: MessagePort, dispatch: AwsDispatch): void {
  port.on('message', async ({ id, body, ...request }: HandedRequest) => {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
    const answer = await dispatch({ ...request, body: bytes });
    port.postMessage({ id, ...answer } satisfies HandedResponse);
  });
}

type HandlerOptions = Parameters<NodeHttpHandler['handle']>[1];
type HandlerConfig = Parameters<NodeHttpHandler['updateHttpClientConfig']>;

/**
 * The Lambda worker's side, installed before any function is loaded. The SDK is outside the functions'
 * bundles, so every client in the worker builds its request handler with the one `NodeHttpHandler.create`
 * of the one `@smithy/node-http-handler` module: each client's runtime config calls it with the client's
 * `requestHandler` option (none, options, or a handler). The NodeHttpHandler it makes or is given is
 * wrapped in one that hands the requests for `endpoint` over `port` (or, by their X-Amz-Target prefix, over
 * the port of their service's thread in `direct`), and sends any other over HTTP with it, as before; a
 * handler of another kind is left as it is.
 */
export function handOverRequestsTo(
  endpoint: string,
  port: MessagePort,
  direct: Record<string, MessagePort> = {},
): void {
  const local = new URL(endpoint);
  /** The requests sent and not yet answered, each with the port it went on. */
  const waiting = new Map<
    number,
    { request: HandedRequest; via: MessagePort; answer: (response: HandedResponse) => void }
  >();
  let nextId = 0;
  const onResponse = (response: HandedResponse) => {
    waiting.get(response.id)?.answer(response);
    waiting.delete(response.id);
  };
  port.on('message', onResponse);
  const threads = new Map(Object.entries(direct));
  for (const [target, thread] of threads) {
    thread.on('message', onResponse);
    // The service's thread ended: what it held, and what comes next, goes through the main thread's
    // endpoint, which answers it as the service does when it is gone.
    thread.once('close', () => {
      threads.delete(target);
      for (const sent of waiting.values()) {
        if (sent.via !== thread) continue;
        sent.via = port;
        port.postMessage(sent.request);
      }
    });
  }

  class InProcessHandler {
    readonly metadata = { handlerProtocol: 'http/1.1' };
    constructor(private readonly overHttp: NodeHttpHandler) {}

    handle(...[request, options]: Parameters<NodeHttpHandler['handle']>) {
      const isLocal =
        request.protocol === local.protocol &&
        request.hostname === local.hostname &&
        String(request.port ?? '') === local.port;
      return isLocal ? this.handOver(request, options) : this.overHttp.handle(request, options);
    }

    private handOver(
      request: Parameters<NodeHttpHandler['handle']>[0],
      { abortSignal }: NonNullable<HandlerOptions> = {},
    ): Promise<{ response: HttpResponse }> {
      const query = new URLSearchParams(request.query as Record<string, string>).toString();
      const body: unknown = request.body;
      if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) {
        throw new Error('a streamed request body is not handed over in process');
      }
      // The endpoint answers every request (a failure as a 500), so only an abort ends one sooner.
      const signal = abortSignal && 'addEventListener' in abortSignal ? abortSignal : undefined;
      return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(abortError());
        const id = nextId++;
        const onAbort = () => {
          waiting.delete(id);
          reject(abortError());
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        const headers = Object.fromEntries(
          Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]),
        );
        const handed: HandedRequest = {
          id,
          method: request.method,
          target: query ? `${request.path}?${query}` : request.path,
          headers,
          body: body ?? '',
        };
        const via = threads.get(headers['x-amz-target']?.split('.')[0] ?? '') ?? port;
        waiting.set(id, {
          request: handed,
          via,
          answer: ({ status, headers, body }) => {
            signal?.removeEventListener('abort', onAbort);
            resolve({
              response: new HttpResponse({
                statusCode: status,
                headers,
                body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
              }),
            });
          },
        });
        via.postMessage(handed);
      });
    }

    updateHttpClientConfig(...args: HandlerConfig) {
      this.overHttp.updateHttpClientConfig(...args);
    }
    httpHandlerConfigs() {
      return this.overHttp.httpHandlerConfigs();
    }
    destroy() {
      this.overHttp.destroy();
    }
  }

  const create = NodeHttpHandler.create.bind(NodeHttpHandler);
  NodeHttpHandler.create = (instanceOrOptions) => {
    const made = create(instanceOrOptions);
    return made instanceof NodeHttpHandler ? new InProcessHandler(made) : made;
  };
}

/** How NodeHttpHandler rejects an aborted request. */
function abortError(): Error {
  const error = new Error('Request aborted');
  error.name = 'AbortError';
  return error;
}
