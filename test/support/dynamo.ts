import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLES } from '../../functions/manifest/tables.ts';
import { createAwsEndpoint } from '../../local/aws-endpoint.ts';
import { createLocalDynamo, DYNAMODB_TARGET } from '../../local/dynamo.ts';
import { OPERATOR_ACCESS_KEY } from '../../local/grants.ts';

/**
 * The local DynamoDB (dynalite, in its worker thread) with the product's tables, on a free port, for adapter
 * tests: in memory, or on disk in `dataDir`. Its failures fail the test.
 */
export async function startDynamo(options: { dataDir?: string } = {}) {
  const tableNames = Object.fromEntries(Object.values(TABLES).map((t) => [t.id, t.id]));
  const fail = (message: string, error: unknown) => {
    throw new Error(`${message}: ${String(error)}`);
  };
  // No function is granted anything: the adapters sign as the operator, who may do everything.
  const dynamo = createLocalDynamo({
    ...options,
    tableNames,
    grants: {
      functions: [],
      tables: {},
      queues: {},
      stateMachineArn: '',
      eventBusName: '',
      userPoolId: '',
      account: '000000000000',
      onRefused: (message) => fail('refused', message),
    },
    onError: fail,
  });
  const aws = createAwsEndpoint({
    services: { [DYNAMODB_TARGET]: dynamo.service },
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
    credentials: { accessKeyId: OPERATOR_ACCESS_KEY, secretAccessKey: OPERATOR_ACCESS_KEY },
  });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    doc,
    faults: dynamo.faults,
    tables: tableNames,
    async close() {
      client.destroy();
      await aws.close();
      await dynamo.close();
    },
  };
}
