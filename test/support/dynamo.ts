import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLES } from '../../functions/manifest/tables.ts';
import { createLocalDynamo, type Faults } from '../../local/dynamo.ts';

/** dynalite with the product's tables, on a free port, for adapter tests. */
export async function startDynamo() {
  const faults: Faults = { interactionStore: 'up', interactionStoreLatencyMs: 0 };
  const tableNames = Object.fromEntries(Object.values(TABLES).map((t) => [t.id, t.id]));
  const dynamo = createLocalDynamo({ faults, tableNames });
  const read = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
    });
  const server = createServer(async (req, res) => dynamo.handle(req, res, await read(req)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await dynamo.createTables(endpoint);
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    doc,
    faults,
    tables: tableNames,
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await dynamo.close();
    },
  };
}
