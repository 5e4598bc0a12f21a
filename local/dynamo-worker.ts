import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';
import { type AwsResponse, dynamoDbError, parsedJson, pause, refusalResponse } from './aws-endpoint.ts';
import { sharedFaults } from './faults.ts';
import { createGrants, type GrantsOptions } from './grants.ts';
import type { HandedRequest, HandedResponse } from './in-process-aws.ts';
import { closeIteratorsWhenDone } from './level-iterators.ts';

/**
 * DynamoDB in a worker thread of its own (see local/dynamo.ts), so that its work, most of the local AWS
 * services' CPU, runs beside the main thread's. Its requests come from the main thread (the AWS endpoint's
 * loopback port) and straight from the Lambda execution environments, each on a port of its own; every one
 * is checked here as DynamoDB is reached on AWS: IAM (local/grants.ts), AWS's latency when the bench's
 * profile gives one, the fault switch of the interaction store; then answered with dynalite's own HTTP
 * handling: its checks, its errors, its headers.
 */

export interface DynamoWorkerData {
  dataDir?: string;
  /** IAM, as the main thread's endpoint has it (the refusals are reported to it: `DynamoNotice`). */
  grants: Omit<GrantsOptions, 'onRefused'>;
  /** The fault switch's memory (local/faults.ts). */
  faults: SharedArrayBuffer;
  /** The interactions table's name: the one the fault switch fails. */
  interactionsTable: string | undefined;
  /** Milliseconds added before answering, by operation (AWS's latency, for the bench); none when absent. */
  latencyMs: Record<string, number>;
}

/** Sent to the main thread besides replies: a request IAM refused (a grant the catalog is missing). */
export type DynamoNotice = { refused: string };
/** Sent on the main thread's port: a request, or a port a Lambda execution environment sends its own on. */
export type DynamoMessage = HandedRequest | { connect: MessagePort };

const port = parentPort;
if (!port) throw new Error('dynamo-worker.ts runs in a worker thread');
const options = workerData as DynamoWorkerData;
const { faults } = sharedFaults(options.faults);
const grants = createGrants({
  ...options.grants,
  onRefused: (message) => port.postMessage({ refused: message } satisfies DynamoNotice),
});

closeIteratorsWhenDone();
const server = dynalite({
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
  ...(options.dataDir ? { path: options.dataDir } : {}),
});
const listener = server.listeners('request')[0] as (req: IncomingMessage, res: ServerResponse) => void;

async function answer({ method, target, headers, body }: HandedRequest): Promise<AwsResponse> {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  const operation = headers['x-amz-target']?.split('.')[1] ?? '';
  let json: unknown;
  const parsed = () => {
    json ??= parsedJson(text);
    return json;
  };
  const refusal = grants.authorize(headers.authorization, `dynamodb:${operation}`, parsed);
  if (refusal) return refusalResponse(refusal);
  await pause(options.latencyMs[operation] ?? 0);
  const crm = (parsed() as { TableName?: unknown } | null)?.TableName === options.interactionsTable;
  if (crm && faults.interactionStoreLatencyMs > 0) await pause(faults.interactionStoreLatencyMs);
  if (crm && faults.interactionStore === 'down') {
    return dynamoDbError(503, 'ServiceUnavailable', 'interaction store is down (fault switch)');
  }
  return dynaliteAnswer(method, target, headers, text);
}

/**
 * What dynalite reads of a request and writes to a response, without a socket: its handler takes the body
 * from `data` and `end` events, and answers with `statusCode`, `setHeader` and `end`.
 */
function dynaliteAnswer(
  method: string,
  target: string,
  headers: Record<string, string>,
  text: string,
): Promise<AwsResponse> {
  return new Promise((resolve) => {
    const request = Object.assign(new EventEmitter(), { method, url: target, headers });
    const answered: Record<string, string> = {};
    const response = {
      statusCode: 200,
      setHeader(name: string, value: unknown) {
        answered[name.toLowerCase()] = String(value);
      },
      end(out?: string) {
        resolve({ status: response.statusCode, headers: answered, body: out ?? '' });
      },
    };
    listener(request as unknown as IncomingMessage, response as unknown as ServerResponse);
    if (text.length > 0) request.emit('data', Buffer.from(text, 'utf8'));
    request.emit('end');
  });
}

/** Answers a request on the port it came on; a failure here as DynamoDB's InternalServerError. */
const reply = (from: MessagePort, request: HandedRequest) =>
  void answer(request)
    .catch((error: unknown) => dynamoDbError(500, 'InternalServerError', String(error)))
    .then((answered) => from.postMessage({ id: request.id, ...answered } satisfies HandedResponse));

port.on('message', (message: DynamoMessage) => {
  if ('connect' in message) {
    const environment = message.connect;
    environment.on('message', (request: HandedRequest) => reply(environment, request));
  } else reply(port, message);
});
