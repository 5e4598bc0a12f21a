import { Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { type Access, ENV, indexesOf, TABLES, type TableKey } from '../functions/manifest/index.ts';
import type { HandlerFunction } from './handler-function.ts';
import { acknowledgeWildcardResource } from './nag.ts';

/** The resources behind the `Access` values, as the stack built them. */
export interface AccessTargets {
  tables: Record<TableKey, dynamodb.ITable>;
  stateMachine: sfn.IStateMachine;
  eventBus: events.IEventBus;
  webSocketStage: apigwv2.WebSocketStage;
  webhookSecret: secretsmanager.ISecret;
  agentPool: cognito.IUserPool;
  agentPoolClient: cognito.IUserPoolClient;
  /** Where the CCaaS notifier delivers (context `ccaasWebhookUrl`); without it, nothing is delivered. */
  ccaasWebhookUrl?: string;
}

type Grant = (target: HandlerFunction) => void;

/**
 * Turns each `Access` into its grant and environment variables: the one place that decides what a
 * function of the catalog may do, so least privilege is reviewed here and nowhere else.
 */
export function grantAccess(target: HandlerFunction, targets: AccessTargets): void {
  const grants = accessGrants(targets);
  for (const access of new Set(target.entry.access)) grants[access](target);
}

function accessGrants(targets: AccessTargets): Record<Access, Grant> {
  const stack = Stack.of(targets.stateMachine);
  const userPoolUrl = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${targets.agentPool.userPoolId}`;

  const table =
    (key: TableKey, mode: 'read' | 'write'): Grant =>
    (target) => {
      const fn = target.function;
      const resource = targets.tables[key];
      fn.addEnvironment(TABLES[key].envVar, resource.tableName);
      if (mode === 'write') resource.grantReadWriteData(fn);
      else resource.grantReadData(fn);
      if (indexesOf(TABLES[key]).length > 0) {
        acknowledgeWildcardResource(
          target,
          `${resource.tableArn}/index/*`,
          `Queries the secondary indexes of the ${TABLES[key].id} table; the wildcard covers those indexes only.`,
        );
      }
    };

  return {
    'calls:read': table('calls', 'read'),
    'calls:write': table('calls', 'write'),
    'agents:read': table('agents', 'read'),
    'agents:write': table('agents', 'write'),
    'interactions:read': table('interactions', 'read'),
    'interactions:write': table('interactions', 'write'),
    'workItems:read': table('workItems', 'read'),
    'workItems:write': table('workItems', 'write'),
    'webhookReceipts:write': table('webhookReceipts', 'write'),

    'workflow:start': ({ function: fn }) => {
      fn.addEnvironment(ENV.stateMachineArn, targets.stateMachine.stateMachineArn);
      targets.stateMachine.grantStartExecution(fn);
    },
    // The task token alone names the execution, so no STATE_MACHINE_ARN here: the workflow tasks have this
    // access, and a reference from them to the state machine that references them would be a cycle.
    'workflow:callback': (target) => {
      // Not grantTaskResponse: it scopes to the state machine ARN, but IAM authorizes SendTask* on "*" only
      // (they have no resource type), and the ARN would close the same cycle.
      iam.Grant.addToPrincipal({
        grantee: target.function,
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
        resourceArns: ['*'],
      });
      acknowledgeWildcardResource(
        target,
        '*',
        'states:SendTaskSuccess/Failure/Heartbeat have no resource type in IAM and are authorized on "*" only; the task token limits them to one task.',
      );
    },
    'events:publish': ({ function: fn }) => {
      fn.addEnvironment(ENV.eventBusName, targets.eventBus.eventBusName);
      targets.eventBus.grantPutEventsTo(fn);
    },
    'sockets:push': (target) => {
      const fn = target.function;
      const stage = targets.webSocketStage;
      fn.addEnvironment(ENV.wsManagementEndpoint, stage.callbackUrl);
      stage.grantManagementApiAccess(fn);
      acknowledgeWildcardResource(
        target,
        `${stack.formatArn({ service: 'execute-api', resource: stage.api.apiId })}/${stage.stageName}/*/@connections/*`,
        'Posts to, reads and closes any connection of the live stage; connection ids are only known at run time.',
      );
    },
    'webhook:verify': ({ function: fn }) => {
      fn.addEnvironment(ENV.webhookSecretArn, targets.webhookSecret.secretArn);
      targets.webhookSecret.grantRead(fn);
    },
    // The same secret signs what we send: the CCaaS verifies our webhooks as we verify its callbacks.
    'webhook:sign': ({ function: fn }) => {
      fn.addEnvironment(ENV.webhookSecretArn, targets.webhookSecret.secretArn);
      targets.webhookSecret.grantRead(fn);
      if (targets.ccaasWebhookUrl) fn.addEnvironment(ENV.ccaasWebhookUrl, targets.ccaasWebhookUrl);
    },
    'jwt:verify': ({ function: fn }) => {
      fn.addEnvironment(ENV.jwksUrl, `${userPoolUrl}/.well-known/jwks.json`);
      fn.addEnvironment(ENV.jwtIssuer, userPoolUrl);
      fn.addEnvironment(ENV.jwtAudience, targets.agentPoolClient.userPoolClientId);
    },
  };
}
