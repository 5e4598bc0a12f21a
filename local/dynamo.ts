import { Worker } from 'node:worker_threads';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import {
  indexesOf,
  keyAttributes,
  keySchemaOf,
  TABLES,
  type TableDefinition,
} from '../functions/manifest/index.ts';
import { type AwsResponse, type AwsService, jsonResponse } from './aws-endpoint.ts';
import type { DynamoReply, DynamoRequest } from './dynamo-worker.ts';
import { OPERATOR_ACCESS_KEY } from './grants.ts';

export interface Faults {
  /** When 'down', every request to the interactions table fails like an outage of the CRM. */
  interactionStore: 'up' | 'down';
  /** Added to every interaction-table request: a slow CRM, for demos and benchmarks. */
  interactionStoreLatencyMs: number;
}

const CONTENT_TYPE = 'application/x-amz-json-1.0';

/**
 * DynamoDB on one machine: dynalite (in memory, or on disk under `dataDir`) in a worker thread of its own
 * (local/dynamo-worker.ts), so that its work runs beside the main thread's (Step Functions, the gateway,
 * the other services). `handle` is the DynamoDB service of the local AWS endpoint: requests come signed and
 * checked, and are answered as the real SDK client expects. The fault switch sits in front of it: it fails
 * interaction-table requests the way DynamoDB answers when it is unavailable, so the handlers' real error
 * paths run. If the thread dies, that is reported, the requests it held are answered with DynamoDB's
 * InternalServerError, and so is every later one: nothing waits on it.
 */
export function createLocalDynamo(options: {
  dataDir?: string;
  faults: Faults;
  tableNames: Record<string, string>;
  /** Told when the thread dies (an uncaught error in dynalite or its store). */
  onError: (message: string, error: unknown) => void;
}) {
  const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
    workerData: { module: new URL('./dynamo-worker.ts', import.meta.url).href, dataDir: options.dataDir },
  });
  const pending = new Map<number, (answer: AwsResponse) => void>();
  let nextId = 0;
  let ended: string | undefined;
  worker.on('message', ({ id, ...answer }: DynamoReply) => {
    pending.get(id)?.(answer);
    pending.delete(id);
  });
  worker.on('error', (error) => options.onError('the local DynamoDB crashed', error));
  worker.on('exit', (code) => {
    ended ??= `the local DynamoDB ended (exit code ${code})`;
    for (const answer of pending.values()) answer(internalError(ended));
    pending.clear();
  });
  const interactionsTable = options.tableNames[TABLES.interactions.id];

  const handle: AwsService = async (request, _operation, json) => {
    const crm = (json() as { TableName?: unknown } | null)?.TableName === interactionsTable;
    if (crm && options.faults.interactionStoreLatencyMs > 0) {
      await new Promise((r) => setTimeout(r, options.faults.interactionStoreLatencyMs));
    }
    if (crm && options.faults.interactionStore === 'down') {
      return jsonResponse(
        503,
        {
          __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable',
          message: 'interaction store is down (fault switch)',
        },
        CONTENT_TYPE,
      );
    }
    if (ended) return internalError(ended);
    const id = nextId++;
    const { method, target, headers } = request;
    return new Promise<AwsResponse>((resolve) => {
      pending.set(id, resolve);
      worker.postMessage({
        id,
        method,
        target,
        headers,
        body: request.body.toString('utf8'),
      } satisfies DynamoRequest);
    });
  };

  return {
    /** The DynamoDB service of the local AWS endpoint (`DynamoDB_20120810.<operation>`). */
    service: { iam: 'dynamodb', handle },
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

/** What DynamoDB answers when it fails inside: the SDK retries it, then throws InternalServerError. */
function internalError(message: string): AwsResponse {
  return jsonResponse(
    500,
    { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message },
    CONTENT_TYPE,
  );
}
