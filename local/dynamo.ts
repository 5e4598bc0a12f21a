import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import {
  indexesOf,
  keyAttributes,
  keySchemaOf,
  TABLES,
  type TableDefinition,
} from '../functions/manifest/index.ts';
import { type AwsResponse, type AwsService, dynamoDbError } from './aws-endpoint.ts';
import type { DynamoMessage, DynamoNotice, DynamoWorkerData } from './dynamo-worker.ts';
import { sharedFaults } from './faults.ts';
import { type GrantsOptions, OPERATOR_ACCESS_KEY } from './grants.ts';
import type { HandedResponse } from './in-process-aws.ts';

/** The X-Amz-Target prefix of DynamoDB's requests. */
export const DYNAMODB_TARGET = 'DynamoDB_20120810';

/** DynamoDB's operations (those dynalite answers): the bench's AWS latencies are asked of each. */
const OPERATIONS = [
  'BatchGetItem',
  'BatchWriteItem',
  'CreateTable',
  'DeleteItem',
  'DeleteTable',
  'DescribeTable',
  'DescribeTimeToLive',
  'GetItem',
  'ListTables',
  'ListTagsOfResource',
  'PutItem',
  'Query',
  'Scan',
  'TagResource',
  'UntagResource',
  'UpdateItem',
  'UpdateTable',
];

/**
 * DynamoDB on one machine: dynalite (in memory, or on disk under `dataDir`) in a worker thread of its own
 * (local/dynamo-worker.ts), so that its work runs beside the main thread's (Step Functions, the gateway,
 * the other services). It checks every request itself, as DynamoDB does on AWS: IAM, the bench's AWS
 * latency, the fault switch of the interaction store (`faults`, which fails interaction-table requests the
 * way DynamoDB answers when it is unavailable, so the handlers' real error paths run). `service` is the
 * DynamoDB service of the local AWS endpoint (its loopback port: tests, tools); `connect` opens a port for a
 * Lambda execution environment, whose SDK clients' requests then go to the thread directly, not through the
 * main thread. If the thread dies, that is reported, the requests it held from the main thread are answered
 * with DynamoDB's InternalServerError, and so is every later one: nothing waits on it (the environments'
 * ports close, and their requests go through the main thread: local/in-process-aws.ts).
 */
export function createLocalDynamo(options: {
  dataDir?: string;
  tableNames: Record<string, string>;
  /** IAM (local/grants.ts): who may do what, checked in the thread; `onRefused` is told on this one. */
  grants: GrantsOptions;
  /** AWS's latencies (the bench's profile), by IAM prefix and operation: `dynamodb` is asked here. */
  latencyMs?: (service: string, operation: string) => number;
  /** Told when the thread dies (an uncaught error in dynalite or its store). */
  onError: (message: string, error: unknown) => void;
}) {
  const { onRefused, ...grants } = options.grants;
  const { faults, buffer } = sharedFaults();
  const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
    workerData: {
      module: new URL('./dynamo-worker.ts', import.meta.url).href,
      dataDir: options.dataDir,
      grants,
      faults: buffer,
      interactionsTable: options.tableNames[TABLES.interactions.id],
      latencyMs: Object.fromEntries(OPERATIONS.map((op) => [op, options.latencyMs?.('dynamodb', op) ?? 0])),
    } satisfies DynamoWorkerData & { module: string },
  });
  const pending = new Map<number, (answer: AwsResponse) => void>();
  let nextId = 0;
  let ended: string | undefined;
  worker.on('message', (message: HandedResponse | DynamoNotice) => {
    if ('refused' in message) return onRefused(message.refused);
    const { id, ...answer } = message;
    pending.get(id)?.(answer);
    pending.delete(id);
  });
  worker.on('error', (error) => options.onError('the local DynamoDB crashed', error));
  worker.on('exit', (code) => {
    ended ??= `the local DynamoDB ended (exit code ${code})`;
    for (const answer of pending.values()) answer(dynamoDbError(500, 'InternalServerError', ended));
    pending.clear();
  });

  const handle: AwsService = async (request) => {
    if (ended) return dynamoDbError(500, 'InternalServerError', ended);
    const id = nextId++;
    const { method, target, headers, body } = request;
    return new Promise<AwsResponse>((resolve) => {
      pending.set(id, resolve);
      worker.postMessage({
        id,
        method,
        target,
        headers: Object.fromEntries(
          Object.entries(headers).flatMap(([name, value]) => (value === undefined ? [] : [[name, value]])),
        ),
        body,
      } satisfies DynamoMessage);
    });
  };

  return {
    /** The fault switch of the interaction store. */
    faults,
    /** The DynamoDB service of the local AWS endpoint (`DynamoDB_20120810.<operation>`), which checks itself. */
    service: { iam: 'dynamodb', handle, checksItself: true },
    /**
     * A port to the thread for a Lambda execution environment (local/in-process-aws.ts): requests on it, as
     * handed over by the environment's SDK clients, are answered on it. None once the thread has ended.
     */
    connect(): MessagePort | undefined {
      if (ended) return undefined;
      const { port1, port2 } = new MessageChannel();
      worker.postMessage({ connect: port1 } satisfies DynamoMessage, [port1]);
      return port2;
    },
    /** Creates every table of TABLES (idempotent, so a disk-backed store can restart). */
    async createTables(endpoint: string): Promise<void> {
      const client = new DynamoDBClient({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: OPERATOR_ACCESS_KEY, secretAccessKey: OPERATOR_ACCESS_KEY },
      });
      for (const table of Object.values(TABLES) as TableDefinition[]) {
        try {
          await client.send(
            new CreateTableCommand({
              TableName: options.tableNames[table.id],
              BillingMode: 'PAY_PER_REQUEST',
              AttributeDefinitions: keyAttributes(table).map((name) => ({
                AttributeName: name,
                AttributeType: 'S',
              })),
              KeySchema: keySchemaOf(table),
              // DynamoDB refuses an empty index list: a table without indexes names none.
              ...(indexesOf(table).length > 0
                ? {
                    GlobalSecondaryIndexes: indexesOf(table).map((i) => ({
                      IndexName: i.indexName,
                      KeySchema: [
                        { AttributeName: i.partitionKey, KeyType: 'HASH' as const },
                        { AttributeName: i.sortKey, KeyType: 'RANGE' as const },
                      ],
                      Projection: { ProjectionType: 'ALL' as const },
                    })),
                  }
                : {}),
            }),
          );
        } catch (err) {
          if (!(err instanceof ResourceInUseException)) throw err;
        }
      }
      client.destroy();
    },
    /**
     * Ends the thread, which closes the store (LevelDB closes a worker's databases as it ends, once their
     * writes under way are done), so that another local DynamoDB can open the same folder.
     */
    async close(): Promise<void> {
      ended ??= 'the local DynamoDB is closed';
      await worker.terminate();
    },
  };
}
