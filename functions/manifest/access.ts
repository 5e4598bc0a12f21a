import type { Access } from './catalog.ts';
import { ENV } from './environment.ts';
import { QUEUES, type QueueKey } from './queues.ts';
import { TABLES, type TableKey } from './tables.ts';

/**
 * What each `Access` of the catalog gives a function: the environment variables that name its resources,
 * and the AWS actions it may perform on them. The CDK app sets those variables and grants those actions
 * (lib/access.ts); the local runtime gives each function only those variables and refuses, at its AWS
 * endpoints, every action they do not allow (local/grants.ts). A missing grant fails the same way on both.
 */

/** A resource of the stack, as a permission names it. */
export type AccessResource =
  | `table:${TableKey}`
  | `queue:${QueueKey}`
  | 'stateMachine'
  | 'eventBus'
  | 'connections'
  | 'webhookSecret'
  | 'userPool'
  /** Actions IAM authorizes on "*" only (they have no resource type). */
  | '*';

export interface Permission {
  actions: readonly string[];
  resource: AccessResource;
}

export interface AccessGrant {
  /** Variables the function is given; a runtime sets those it has a value for. */
  env: readonly string[];
  permissions: readonly Permission[];
}

/** As DynamoDB's `grantReadData`: reads of the table and its indexes. */
const TABLE_READ = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
];
/** As `grantReadWriteData`: writing includes reading (conditional writes and their retries read). */
const TABLE_WRITE = [
  ...TABLE_READ,
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];

const table = (key: TableKey, actions: readonly string[]): AccessGrant => ({
  env: [TABLES[key].envVar],
  permissions: [{ actions, resource: `table:${key}` }],
});

/** The webhook secret: its value locally, its ARN (read from Secrets Manager) on AWS. */
const WEBHOOK_SECRET: AccessGrant = {
  env: [ENV.webhookSecret, ENV.webhookSecretArn],
  permissions: [
    {
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      resource: 'webhookSecret',
    },
  ],
};

/**
 * What Lambda's event source mapping does with the function's role to consume a queue (it receives,
 * deletes what was handled, reads the queue's attributes), and the notifier's own visibility changes.
 */
const QUEUE_CONSUME = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueAttributes',
];

export const ACCESS: Record<Access, AccessGrant> = {
  'calls:read': table('calls', TABLE_READ),
  'calls:write': table('calls', TABLE_WRITE),
  'callEntries:read': table('callEntries', TABLE_READ),
  'callEntries:write': table('callEntries', TABLE_WRITE),
  'agents:read': table('agents', TABLE_READ),
  'agents:write': table('agents', TABLE_WRITE),
  'interactions:read': table('interactions', TABLE_READ),
  'interactions:write': table('interactions', TABLE_WRITE),
  'workItems:read': table('workItems', TABLE_READ),
  'workItems:write': table('workItems', TABLE_WRITE),
  'webhookReceipts:write': table('webhookReceipts', TABLE_WRITE),
  'workflow:start': {
    env: [ENV.stateMachineArn],
    permissions: [{ actions: ['states:StartExecution'], resource: 'stateMachine' }],
  },
  // The task token alone names the execution: no variable.
  'workflow:callback': {
    env: [],
    permissions: [
      {
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
        resource: '*',
      },
    ],
  },
  'events:publish': {
    env: [ENV.eventBusName],
    permissions: [{ actions: ['events:PutEvents'], resource: 'eventBus' }],
  },
  'sockets:push': {
    env: [ENV.wsManagementEndpoint],
    permissions: [{ actions: ['execute-api:ManageConnections'], resource: 'connections' }],
  },
  'webhook:verify': WEBHOOK_SECRET,
  // The same secret signs what we send: the CCaaS verifies our webhooks as we verify its callbacks.
  'webhook:sign': { ...WEBHOOK_SECRET, env: [...WEBHOOK_SECRET.env, ENV.ccaasWebhookUrl] },
  // The sweep closes the sockets of people disabled or taken out of the agents group.
  'directory:read': {
    env: [ENV.userPoolId],
    permissions: [{ actions: ['cognito-idp:ListUsersInGroup'], resource: 'userPool' }],
  },
  'webhookOutbox:consume': {
    env: [QUEUES.webhookOutbox.urlVar],
    permissions: [{ actions: QUEUE_CONSUME, resource: 'queue:webhookOutbox' }],
  },
  'webhookDeadLetters:write': {
    env: [QUEUES.webhookDeadLetters.urlVar],
    permissions: [{ actions: ['sqs:SendMessage'], resource: 'queue:webhookDeadLetters' }],
  },
  // A message move task runs with its starter's rights: it receives and deletes from the dead-letter
  // queue and sends to the outbox (SQS's dead-letter queue redrive permissions).
  'webhookDeadLetters:redrive': {
    env: [QUEUES.webhookDeadLetters.urlVar, QUEUES.webhookDeadLetters.arnVar, QUEUES.webhookOutbox.arnVar],
    permissions: [
      {
        actions: [
          'sqs:StartMessageMoveTask',
          'sqs:ListMessageMoveTasks',
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
        ],
        resource: 'queue:webhookDeadLetters',
      },
      { actions: ['sqs:SendMessage'], resource: 'queue:webhookOutbox' },
    ],
  },
  // Cognito's key set is public: reading it needs no grant.
  'jwt:verify': { env: [ENV.jwksUrl, ENV.jwtIssuer, ENV.jwtAudience], permissions: [] },
};

/** The variables a function with this access list is given (beyond the settings every function has). */
export function environmentOf(access: readonly Access[]): string[] {
  return [...new Set(access.flatMap((a) => ACCESS[a].env))];
}

/** Those variables with the values a runtime has for them; those it has none for are left out. */
export function environmentFor(
  access: readonly Access[],
  values: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  return Object.fromEntries(
    environmentOf(access).flatMap((name) => (values[name] === undefined ? [] : [[name, values[name]]])),
  );
}

/** Everything a function with this access list may do in AWS. */
export function permissionsOf(access: readonly Access[]): Permission[] {
  return [...new Set(access)].flatMap((a) => ACCESS[a].permissions);
}
