import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The document client the stores share, over the function's one DynamoDB client. The endpoint comes from
 * the SDK's own configuration (`AWS_ENDPOINT_URL_DYNAMODB` locally), so no code path differs between AWS
 * and the local runtime.
 */
export function makeDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
