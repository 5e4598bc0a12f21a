import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLES } from '../../functions/manifest/tables.ts';
import { createAwsEndpoint } from '../../local/aws-endpoint.ts';
import { createLocalDynamo, type Faults } from '../../local/dynamo.ts';

/**
 * The local DynamoDB (dynalite, in its worker thread) with the product's tables, on a free port, for adapter
 * tests: in memory, or on disk in `dataDir`. Its failures fail the test.
 */
export async function startDynamo(options: { dataDir?: string } = {}) {
  const faults: Faults = { interactionStore: 'up', interactionStoreLatencyMs: 0 };
  const tableNames = Object.fromEntries(Object.values(TABLES).map((t) => [t.id, t.id]));
  const fail = (message: string, error: unknown) => {
    throw new Error(`${message}: ${String(error)}`);
  };
  const dynamo = createLocalDynamo({ ...options, faults, tableNames, onError: fail });
  const aws = createAwsEndpoint({
    services: { DynamoDB_20120810: dynamo.service },
    authorize: () => undefined,
    connections: () => ({ status: 410 }),
    jwks: () => ({ keys: [] }),
    onError: fail,
  });
  const endpoint = await aws.listen();
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
      await aws.close();
      await dynamo.close();
    },
  };
}
