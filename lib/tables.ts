import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { indexesOf, TABLES, type TableDefinition, type TableKey } from '../functions/manifest/index.ts';

/**
 * The DynamoDB tables of `TABLES`, with their secondary indexes and TTL. They hold the calls and interactions
 * of record, so they are protected from deletion, retained when the stack goes, and can be restored to any
 * point of the last 35 days
 * (the short-lived webhook receipts too: one rule for every table is simpler to review than an exception).
 */
export class Tables extends Construct {
  readonly byKey: Record<TableKey, dynamodb.Table>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const create = (key: TableKey): dynamodb.Table => {
      const definition: TableDefinition = TABLES[key];
      const table = new dynamodb.Table(this, definition.id, {
        partitionKey: { name: definition.partitionKey, type: dynamodb.AttributeType.STRING },
        ...(definition.sortKey
          ? { sortKey: { name: definition.sortKey, type: dynamodb.AttributeType.STRING } }
          : {}),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        removalPolicy: RemovalPolicy.RETAIN,
        deletionProtection: true,
        timeToLiveAttribute: definition.timeToLiveAttribute,
      });
      for (const index of indexesOf(definition)) {
        table.addGlobalSecondaryIndex({
          indexName: index.indexName,
          partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
          sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.ALL,
        });
      }
      return table;
    };
    this.byKey = {
      calls: create('calls'),
      callEntries: create('callEntries'),
      agents: create('agents'),
      interactions: create('interactions'),
      workItems: create('workItems'),
      webhookReceipts: create('webhookReceipts'),
    };
  }
}
