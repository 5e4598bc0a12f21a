import { Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import {
  ENV,
  environmentFor,
  indexesOf,
  type Permission,
  permissionsOf,
  QUEUES,
  type QueueKey,
  TABLES,
  type TableKey,
} from '../functions/manifest/index.ts';
import type { HandlerFunction } from './handler-function.ts';
import { acknowledgeWildcardResource } from './nag.ts';

/** The resources behind the `Access` values, as the stack built them. */
export interface AccessTargets {
  tables: Record<TableKey, dynamodb.ITable>;
  queues: Record<QueueKey, sqs.IQueue>;
  stateMachine: sfn.IStateMachine;
  eventBus: events.IEventBus;
  webSocketStage: apigwv2.WebSocketStage;
  webhookSecret: secretsmanager.ISecret;
  agentPool: cognito.IUserPool;
  agentPoolClient: cognito.IUserPoolClient;
  /** Where the CCaaS notifier delivers (context `ccaasWebhookUrl`); without it, nothing is delivered. */
  ccaasWebhookUrl?: string;
}

/**
 * Gives a function of the catalog what its access list says (functions/manifest/access.ts): the variables
 * that name its resources, and exactly the actions its permissions list, on those resources. The local
 * runtime enforces the same lists, so what the local tests pass with is what the function gets here.
 */
export function grantAccess(target: HandlerFunction, targets: AccessTargets): void {
  const environment = environmentFor(target.entry.access, environmentValues(targets));
  for (const [name, value] of Object.entries(environment)) target.function.addEnvironment(name, value);
  for (const permission of permissionsOf(target.entry.access)) grant(target, permission, targets);
}

/** What each variable holds in this stack; the inline webhook secret is the local runtime's alone. */
function environmentValues(targets: AccessTargets): Record<string, string | undefined> {
  const stack = Stack.of(targets.stateMachine);
  const userPoolUrl = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${targets.agentPool.userPoolId}`;
  return {
    ...Object.fromEntries(
      (Object.keys(TABLES) as TableKey[]).map((key) => [TABLES[key].envVar, targets.tables[key].tableName]),
    ),
    ...Object.fromEntries(
      (Object.keys(QUEUES) as QueueKey[]).flatMap((key) => [
        [QUEUES[key].urlVar, targets.queues[key].queueUrl],
        [QUEUES[key].arnVar, targets.queues[key].queueArn],
      ]),
    ),
    // No function the state machine invokes is given its ARN (workflow:callback names none): no cycle.
    [ENV.stateMachineArn]: targets.stateMachine.stateMachineArn,
    [ENV.eventBusName]: targets.eventBus.eventBusName,
    [ENV.wsManagementEndpoint]: targets.webSocketStage.callbackUrl,
    [ENV.webhookSecretArn]: targets.webhookSecret.secretArn,
    [ENV.ccaasWebhookUrl]: targets.ccaasWebhookUrl,
    [ENV.jwksUrl]: `${userPoolUrl}/.well-known/jwks.json`,
    [ENV.jwtIssuer]: userPoolUrl,
    [ENV.jwtAudience]: targets.agentPoolClient.userPoolClientId,
    [ENV.userPoolId]: targets.agentPool.userPoolId,
  };
}

function grant(target: HandlerFunction, { actions, resource }: Permission, targets: AccessTargets): void {
  const grantee = target.function;
  const on = (resourceArns: string[]) =>
    iam.Grant.addToPrincipal({ grantee, actions: [...actions], resourceArns });
  if (resource.startsWith('table:')) {
    const key = resource.slice('table:'.length) as TableKey;
    const table = targets.tables[key];
    // On the table and, when it has any, its secondary indexes.
    table.grant(grantee, ...actions);
    if (indexesOf(TABLES[key]).length > 0) {
      acknowledgeWildcardResource(
        target,
        `${table.tableArn}/index/*`,
        `Queries the secondary indexes of the ${TABLES[key].id} table; the wildcard covers those indexes only.`,
      );
    }
    return;
  }
  if (resource.startsWith('queue:')) {
    on([targets.queues[resource.slice('queue:'.length) as QueueKey].queueArn]);
    return;
  }
  switch (resource) {
    case 'stateMachine':
      targets.stateMachine.grant(grantee, ...actions);
      return;
    case 'eventBus':
      on([targets.eventBus.eventBusArn]);
      return;
    case 'webhookSecret':
      on([targets.webhookSecret.secretArn]);
      return;
    case 'userPool':
      on([targets.agentPool.userPoolArn]);
      return;
    case 'connections': {
      const stage = targets.webSocketStage;
      const api = Stack.of(stage).formatArn({ service: 'execute-api', resource: stage.api.apiId });
      const connections = `${api}/${stage.stageName}/*/@connections/*`;
      on([connections]);
      acknowledgeWildcardResource(
        target,
        connections,
        'Posts to, reads and closes any connection of the live stage; connection ids are only known at run time.',
      );
      return;
    }
    case '*':
      // states:SendTask* have no resource type in IAM: the task token limits them to one task.
      on(['*']);
      acknowledgeWildcardResource(
        target,
        '*',
        `${actions.join(', ')} have no resource type in IAM and are authorized on "*" only; the task token limits them to one task.`,
      );
      return;
  }
}
