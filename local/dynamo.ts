import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { AbstractValueIterator } from 'abstract-level';
import dynalite from 'dynalite';
import {
  indexesOf,
  keyAttributes,
  keySchemaOf,
  TABLES,
  type TableDefinition,
} from '../functions/manifest/index.ts';
import { OPERATOR_ACCESS_KEY } from './grants.ts';

/**
 * dynalite 4 reads its key and value streams by calling `next()` and never closes the iterator: a stream
 * read to its end just stops, and one stopped early (a Limit, the 1 MB page) calls `iterator.return()`,
 * which abstract-level iterators do not have. abstract-level keeps an iterator (and LevelDB the snapshot
 * under it) until it is closed, so every Query and Scan leaked a few KB of heap and more of native memory,
 * for the life of the process. Here an iterator closes at its end, as abstract-level's own `all()` does,
 * and `return()` closes it. Patched once, on the class every abstract-level iterator comes from; closing
 * twice is harmless.
 */
function closeIteratorsWhenDone(): void {
  const common = Object.getPrototypeOf(AbstractValueIterator.prototype) as {
    next: (this: { close(): Promise<void> }) => Promise<unknown>;
    return?: (this: { close(): Promise<void> }) => Promise<void>;
    [PATCHED]?: true;
  };
  if (common[PATCHED]) return;
  const next = common.next;
  common.next = async function nextThenCloseAtEnd() {
    const item = await next.call(this);
    if (item === undefined) await this.close();
    return item;
  };
  common.return = function closeEarly() {
    return this.close();
  };
  common[PATCHED] = true;
}
const PATCHED = Symbol.for('call-resiliency.closeIteratorsWhenDone');
closeIteratorsWhenDone();

export interface Faults {
  /** When 'down', every request to the interactions table fails like an outage of the CRM. */
  interactionStore: 'up' | 'down';
  /** Added to every interaction-table request: a slow CRM, for demos and benchmarks. */
  interactionStoreLatencyMs: number;
}

/**
 * DynamoDB on one machine: dynalite (in memory, or on disk under `dataDir`), served on the runtime's
 * own port. Requests are recognised by their X-Amz-Target header, so the real SDK client works unchanged.
 * The fault switch sits in front of it: it fails interaction-table requests the way DynamoDB answers
 * when it is unavailable, so the handlers' real error paths run.
 */
export function createLocalDynamo(options: {
  dataDir?: string;
  faults: Faults;
  tableNames: Record<string, string>;
}) {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.dataDir ? { path: options.dataDir } : {}),
  });
  const listener = server.listeners('request')[0] as (req: IncomingMessage, res: ServerResponse) => void;
  const interactionsTable = options.tableNames[TABLES.interactions.id];

  return {
    async handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
      const crm = tableOf(body) === interactionsTable;
      if (crm && options.faults.interactionStoreLatencyMs > 0) {
        await new Promise((r) => setTimeout(r, options.faults.interactionStoreLatencyMs));
      }
      if (crm && options.faults.interactionStore === 'down') {
        res.writeHead(503, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable',
            message: 'interaction store is down (fault switch)',
          }),
        );
        return;
      }
      const replay = Object.assign(Readable.from([body]), {
        headers: req.headers,
        method: req.method,
        url: req.url,
      });
      listener(replay as unknown as IncomingMessage, res);
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
    close(): Promise<void> {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function tableOf(body: Buffer): string | undefined {
  try {
    return (JSON.parse(body.toString('utf8')) as { TableName?: string }).TableName;
  } catch {
    return undefined;
  }
}
