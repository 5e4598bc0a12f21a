import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';
import type { AwsResponse } from './aws-endpoint.ts';
import { closeIteratorsWhenDone } from './level-iterators.ts';

/**
 * dynalite in a worker thread of its own (see local/dynamo.ts), so that DynamoDB's work, most of the local
 * AWS services' CPU, runs beside the main thread's. It takes the requests the main thread let through (IAM,
 * the fault switch) and answers each with dynalite's own HTTP handling: its checks, its errors, its headers.
 */

/** A request, as the main thread passes it on; its body as text, which is how dynalite reads it. */
export interface DynamoRequest {
  id: number;
  method: string;
  target: string;
  headers: Record<string, string | undefined>;
  body: string;
}
export type DynamoReply = AwsResponse & { id: number };

const port = parentPort;
if (!port) throw new Error('dynamo-worker.ts runs in a worker thread');
const { dataDir } = workerData as { dataDir?: string };

closeIteratorsWhenDone();
const server = dynalite({
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
  ...(dataDir ? { path: dataDir } : {}),
});
const listener = server.listeners('request')[0] as (req: IncomingMessage, res: ServerResponse) => void;

/**
 * What dynalite reads of a request and writes to a response, without a socket: its handler takes the body
 * from `data` and `end` events, and answers with `statusCode`, `setHeader` and `end`.
 */
port.on('message', ({ id, method, target, headers, body }: DynamoRequest) => {
  const request = Object.assign(new EventEmitter(), { method, url: target, headers });
  const answered: Record<string, string> = {};
  const response = {
    statusCode: 200,
    setHeader(name: string, value: unknown) {
      answered[name.toLowerCase()] = String(value);
    },
    end(text?: string) {
      port.postMessage({
        id,
        status: response.statusCode,
        headers: answered,
        body: text ?? '',
      } satisfies DynamoReply);
    },
  };
  listener(request as unknown as IncomingMessage, response as unknown as ServerResponse);
  if (body.length > 0) request.emit('data', Buffer.from(body, 'utf8'));
  request.emit('end');
});
