import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer, WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration, WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  EVENT_RULES,
  type EventRule,
  FUNCTIONS,
  type FunctionEntry,
  functionsTriggeredBy,
  HTTP_API_CORS,
  QUEUES,
  type QueueDefinition,
  type QueueKey,
  queuesFedByRules,
  SERVICE_NAME,
  STAFF_GROUPS,
  settingsEnvironment,
  TELEMETRY_ENVIRONMENT,
  WEBHOOK_RETRY_LOG,
} from '../functions/manifest/index.ts';
import { grantAccess } from './access.ts';
import { ApiGatewayCloudWatchRole } from './api-gateway-account.ts';
import type { RoutingConfig, SignInConfig } from './config.ts';
import { constructIdOf, HandlerFunction } from './handler-function.ts';
import { Monitoring } from './monitoring.ts';
import { RouteCallWorkflow } from './route-call-workflow.ts';
import { SdkLayer } from './sdk-layer.ts';
import { Tables } from './tables.ts';
import { WebHosting } from './web-hosting.ts';

const WEB_SOCKET_STAGE = 'live';
/** How long the event archive keeps events: long enough to replay an outage, not personal data for ever. */
const EVENT_ARCHIVE_DAYS = 30;
/** How long a dead-letter queue keeps a message: SQS's longest, for someone to look at it. */
const DEAD_LETTER_RETENTION = Duration.days(14);
/** How EventBridge retries putting an event on a rule's target before dead-lettering it. */
const RULE_TARGET_RETRY = { retryAttempts: 8, maxEventAge: Duration.hours(6) };

export interface CallResiliencyStackProps extends StackProps {
  routing: RoutingConfig;
  /**
   * WebSocket access logs are written with API Gateway's CloudWatch role, set once per account and region
   * (`AWS::ApiGateway::Account`). By default the stack sets one (kept when the stack is deleted, so another
   * stack's logs go on); `false` (`-c apiGatewayCloudWatchRole=existing`) when the account already has it.
   */
  setApiGatewayCloudWatchRole?: boolean;
  /** Where the CCaaS notifier delivers its webhooks (context `ccaasWebhookUrl`); none are sent without it. */
  ccaasWebhookUrl?: string;
  /** Who gets the alarms by email (context `alarmEmail`); the topic is there either way. */
  alarmEmail?: string;
  /** Where the workspace signs in: the managed login domain's prefix and the app's callback URLs. */
  signIn: SignInConfig;
}

/**
 * The whole product on AWS (DESIGN.md §3), built from the manifest's catalog: one function per entry of
 * FUNCTIONS, wired to its trigger and granted exactly its `access` list.
 */
export class CallResiliencyStack extends Stack {
  constructor(scope: Construct, id: string, props: CallResiliencyStackProps) {
    super(scope, id, props);
    const { routing } = props;

    const sdkLayer = new SdkLayer(this, 'SdkLayer');
    const functions = new Map<string, HandlerFunction>();
    for (const entry of FUNCTIONS) {
      if (functions.has(entry.handler)) throw new Error(`${entry.handler} appears twice in the catalog`);
      functions.set(
        entry.handler,
        new HandlerFunction(this, constructIdOf(entry), {
          entry,
          environment: { ...settingsEnvironment(routing), ...TELEMETRY_ENVIRONMENT },
          sdkLayer,
        }),
      );
    }
    const functionOf = (entry: FunctionEntry) => {
      const found = functions.get(entry.handler);
      if (!found) throw new Error(`no function for ${entry.handler}`);
      return found;
    };
    const fn = (entry: FunctionEntry) => functionOf(entry).function;

    const tables = new Tables(this, 'Tables');
    const monitoring = new Monitoring(this, 'Monitoring', {
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
    });
    /** Queues of what nobody handled, by name: each has an alarm and a line on the dashboard. */
    const deadLetterQueues: Record<string, sqs.IQueue> = {};
    const deadLetterQueue = (name: string, holds: string, definition?: QueueDefinition) => {
      const queue = new sqs.Queue(this, name, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        // A queue of the manifest is as the local runtime emulates it.
        retentionPeriod: definition ? Duration.days(definition.retentionDays) : DEAD_LETTER_RETENTION,
        ...(definition ? { visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds) } : {}),
      });
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: `This queue is the dead-letter queue of ${holds}.`,
      });
      deadLetterQueues[name] = queue;
      // A dead letter is an event someone must look at: any message in the queue raises the alarm.
      monitoring.alarm(
        `${name}Alarm`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        `Something was dead-lettered: see the ${name} queue (${holds})`,
      );
      return queue;
    };

    // --- Who signs in: agents, supervisors and admins, one user pool
    const agentPool = new cognito.UserPool(this, 'AgentPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Cognito's managed login pages, where the workspace sends people to sign in.
    const loginDomain = agentPool.addDomain('LoginDomain', {
      cognitoDomain: { domainPrefix: props.signIn.domainPrefix },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });

    // The APIs, their routes added below: the pages' content security policy names their origins.
    const httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: SERVICE_NAME,
      createDefaultStage: false,
      // HTTP_API_CORS says why any origin. (Naming the pages' origin here would make the API and the
      // distribution, whose policy names the API, depend on each other.)
      corsPreflight: {
        allowOrigins: [...HTTP_API_CORS.allowOrigins],
        allowHeaders: [...HTTP_API_CORS.allowHeaders],
        allowMethods: HTTP_API_CORS.allowMethods.map((m) => apigwv2.CorsHttpMethod[m]),
        maxAge: Duration.seconds(HTTP_API_CORS.maxAgeSeconds),
      },
    });
    const webSocketApi = new apigwv2.WebSocketApi(this, 'WebSocketApi', {
      apiName: `${SERVICE_NAME}-agents`,
    });
    // --- The pages: S3 behind CloudFront, deployed at the end with their /config.json
    const pages = new WebHosting(this, 'Pages', {
      connectTo: [httpApi.apiEndpoint, webSocketApi.apiEndpoint, loginDomain.baseUrl()],
    });
    // A public client for the browser workspace: authorization code with PKCE, no secret, no implicit flow.
    const agentPoolClient = agentPool.addClient('AgentWorkspaceClient', {
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      generateSecret: false,
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        // Each hosted page comes back to itself, after sign-in and sign-out.
        callbackUrls: [...pages.pageUrls, ...props.signIn.callbackUrls],
        logoutUrls: [...pages.pageUrls, ...props.signIn.callbackUrls],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
    });
    new cognito.CfnManagedLoginBranding(this, 'LoginBranding', {
      userPoolId: agentPool.userPoolId,
      clientId: agentPoolClient.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    // Who may do what (README): the token's `cognito:groups` names them.
    for (const group of STAFF_GROUPS) {
      new cognito.CfnUserPoolGroup(this, `${group.charAt(0).toUpperCase()}${group.slice(1)}Group`, {
        userPoolId: agentPool.userPoolId,
        groupName: group,
      });
    }
    Validations.of(agentPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'The Plus feature plan (threat protection) is a per-user cost to decide per deployment; agents are created by admins and sign in with TOTP MFA.',
    });

    // --- CCaaS callbacks and admin REST API
    const httpAccessLogs = new logs.LogGroup(this, 'HttpApiAccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const httpStage = httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(httpAccessLogs) },
    });
    // Every route but the CCaaS callbacks needs a token of the pool; the handlers check its groups.
    const staffTokens = new HttpUserPoolAuthorizer('StaffTokenAuthorizer', agentPool, {
      userPoolClients: [agentPoolClient],
    });
    for (const route of functionsTriggeredBy('http')) {
      const [added] = httpApi.addRoutes({
        path: route.trigger.path,
        methods: [apigwv2.HttpMethod[route.trigger.method]],
        integration: new HttpLambdaIntegration(`${constructIdOf(route)}Integration`, fn(route), {
          payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
        }),
        ...(route.trigger.signed ? {} : { authorizer: staffTokens }),
      });
      if (route.trigger.signed && added) {
        Validations.of(added).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${route.trigger.method} ${route.trigger.path} is a CCaaS callback, authenticated in its handler by its Standard Webhooks HMAC signature (the CCaaS has no user pool token).`,
        });
      }
    }

    // --- Agents' WebSocket API
    const [authorizerFunction] = functionsTriggeredBy('authorizer');
    if (!authorizerFunction) throw new Error('the catalog has no WebSocket authorizer');
    const authorizer = new WebSocketLambdaAuthorizer('AgentTokenAuthorizer', fn(authorizerFunction), {
      identitySource: ['route.request.querystring.token'],
    });
    for (const route of functionsTriggeredBy('websocket')) {
      webSocketApi.addRoute(route.trigger.route, {
        integration: new WebSocketLambdaIntegration(`${constructIdOf(route)}Integration`, fn(route)),
        // API Gateway authorizes a WebSocket once, at $connect; later messages ride on that connection.
        ...(route.trigger.route === '$connect' ? { authorizer } : {}),
      });
    }
    Validations.of(webSocketApi).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'WebSocket authorization happens once, on $connect (JWT authorizer); message routes run on the authorized connection.',
    });
    const webSocketAccessLogs = new logs.LogGroup(this, 'WebSocketApiAccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const webSocketStage = new apigwv2.WebSocketStage(this, 'WebSocketStage', {
      webSocketApi,
      stageName: WEB_SOCKET_STAGE,
      autoDeploy: true,
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(webSocketAccessLogs) },
    });
    if (props.setApiGatewayCloudWatchRole !== false) {
      webSocketStage.node.addDependency(new ApiGatewayCloudWatchRole(this, 'ApiGatewayCloudWatchRole'));
    }

    // --- Call routing workflow
    const workflow = new RouteCallWorkflow(this, 'RouteCall', {
      tasks: functionsTriggeredBy('workflow').map((task) => ({ task, function: fn(task) })),
    });

    // --- Domain events
    // Named by CDK after the stack: a second copy of the stack fits in the same account and region.
    const eventBus = new events.EventBus(this, 'EventBus');
    // Every event for 30 days, to replay what a rule target missed (docs/operations.md).
    eventBus.archive('EventArchive', {
      description: 'Every domain event of the stack, for replays',
      eventPattern: { account: [this.account] },
      retention: Duration.days(EVENT_ARCHIVE_DAYS),
    });
    for (const target of functionsTriggeredBy('event')) {
      const rule = EVENT_RULES[target.trigger.rule];
      const deadLetters = deadLetterQueue(
        `${rule.name}DeadLetters`,
        `the ${rule.name} rule target and of its function's async invocations`,
      );
      new events.Rule(this, `${rule.name}Rule`, {
        eventBus,
        description: rule.description,
        eventPattern: toEventPattern(rule.pattern),
        targets: [
          new targets.LambdaFunction(fn(target), { ...RULE_TARGET_RETRY, deadLetterQueue: deadLetters }),
        ],
      });
      // EventBridge only retries delivery; a handler that keeps failing is caught here instead of dropped.
      fn(target).configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(deadLetters) });
    }

    // --- The webhook outbox: call.* and interaction.* events wait there until the CCaaS takes their webhook
    // (README, "Outbound webhooks"). Lambda's asynchronous retries stop after two, within six hours; a queue
    // keeps a webhook as long as the retry schedule says, and the notifier times each attempt.
    const outbox = QUEUES.webhookOutbox;
    const webhookDeadLetters = deadLetterQueue(
      QUEUES.webhookDeadLetters.id,
      'webhooks the CCaaS refused or did not take within the retry schedule, and events the CcaasNotifications rule could not queue',
      QUEUES.webhookDeadLetters,
    );
    const queues: Record<QueueKey, sqs.IQueue> = {
      webhookDeadLetters,
      webhookOutbox: new sqs.Queue(this, outbox.id, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(outbox.retentionDays),
        visibilityTimeout: Duration.seconds(outbox.visibilityTimeoutSeconds),
        ...(outbox.deadLetters
          ? {
              deadLetterQueue: {
                queue: webhookDeadLetters,
                maxReceiveCount: outbox.deadLetters.maxReceiveCount(routing),
              },
            }
          : {}),
      }),
    };
    for (const { key, rule: ruleKey } of queuesFedByRules()) {
      const rule = EVENT_RULES[ruleKey];
      const { deadLetters } = QUEUES[key];
      new events.Rule(this, `${rule.name}Rule`, {
        eventBus,
        description: rule.description,
        eventPattern: toEventPattern(rule.pattern),
        targets: [
          new targets.SqsQueue(queues[key], {
            ...RULE_TARGET_RETRY,
            ...(deadLetters ? { deadLetterQueue: queues[deadLetters.queue] } : {}),
          }),
        ],
      });
    }
    // Lambda polls with the function's role: its catalog access grants the polling, as every other grant.
    for (const consumer of functionsTriggeredBy('queue')) {
      const { queue, batchSize } = consumer.trigger;
      fn(consumer).addEventSourceMapping(`${QUEUES[queue].id}Source`, {
        eventSourceArn: queues[queue].queueArn,
        batchSize,
        reportBatchItemFailures: true,
      });
    }
    const [notifier] = functionsTriggeredBy('queue').filter((f) => f.trigger.queue === 'webhookOutbox');
    if (!notifier) throw new Error('the catalog has no consumer of the webhook outbox');
    const retries = new logs.MetricFilter(this, 'WebhookRetryAge', {
      logGroup: functionOf(notifier).logGroup,
      filterPattern: logs.FilterPattern.stringValue('$.message', '=', WEBHOOK_RETRY_LOG.message),
      metricNamespace: SERVICE_NAME,
      metricName: 'WebhookAgeAtRetry',
      metricValue: `$.${WEBHOOK_RETRY_LOG.ageField}`,
      unit: cloudwatch.Unit.SECONDS,
    });

    for (const scheduled of functionsTriggeredBy('schedule')) {
      const { name, everyMinutes } = scheduled.trigger;
      new events.Rule(this, `${name}Schedule`, {
        schedule: events.Schedule.rate(Duration.minutes(everyMinutes)),
        // A sweep older than the interval is superseded by the next one.
        targets: [
          new targets.LambdaFunction(fn(scheduled), {
            retryAttempts: 2,
            maxEventAge: Duration.minutes(Math.max(1, everyMinutes)),
          }),
        ],
      });
      // A run that fails every attempt is kept (and alarmed on), not dropped.
      const failures = deadLetterQueue(`${name}Failures`, `the ${name}'s failed runs`);
      fn(scheduled).configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(failures) });
    }

    // --- CCaaS webhook signing secret
    const webhookSecret = new secretsmanager.Secret(this, 'CcaasWebhookSecret', {
      description:
        'Standard Webhooks signing secret shared with the CCaaS (base64, without the whsec_ prefix)',
      // 48 characters from [A-Za-z0-9] are valid base64 for a 36-byte HMAC key.
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
      // The CCaaS holds a copy: deleting the stack must not break a deployment that replaces it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(webhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The secret is shared with the CCaaS, so a rotation must be coordinated with it; there is no rotation function for a third party.',
    });

    for (const handlerFunction of functions.values()) {
      grantAccess(handlerFunction, {
        tables: tables.byKey,
        queues,
        stateMachine: workflow.stateMachine,
        eventBus,
        webSocketStage,
        webhookSecret,
        agentPool,
        agentPoolClient,
        ...(props.ccaasWebhookUrl ? { ccaasWebhookUrl: props.ccaasWebhookUrl } : {}),
      });
    }

    monitoring.watch({
      functions: [...functions.values()],
      stateMachine: workflow.stateMachine,
      httpApi,
      webSocketApi,
      webSocketStageName: WEB_SOCKET_STAGE,
      tables: tables.byKey,
      deadLetters: deadLetterQueues,
      webhookOutbox: {
        name: outbox.id,
        queue: queues.webhookOutbox,
        retryAge: retries.metric(),
        maxRetryDelay: Duration.seconds(routing.webhookMaxRetryDelaySeconds),
      },
    });

    pages.deploy({
      mode: 'cognito',
      restApiUrl: httpApi.apiEndpoint,
      webSocketUrl: webSocketStage.url,
      cognito: {
        region: this.region,
        userPoolId: agentPool.userPoolId,
        clientId: agentPoolClient.userPoolClientId,
        domain: loginDomain.baseUrl(),
        redirectUri: pages.url,
      },
    });

    // The agent workspace; the supervisor view is at its path /supervisor.
    new CfnOutput(this, 'WebUrl', { value: pages.url });
    new CfnOutput(this, 'HttpApiUrl', { value: httpStage.url });
    new CfnOutput(this, 'AlarmTopicArn', { value: monitoring.topic.topicArn });
    new CfnOutput(this, 'WebSocketUrl', { value: webSocketStage.url });
    new CfnOutput(this, 'UserPoolId', { value: agentPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: agentPoolClient.userPoolClientId });
    new CfnOutput(this, 'LoginUrl', { value: loginDomain.baseUrl() });
    new CfnOutput(this, 'StateMachineArn', { value: workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'WebhookSecretArn', { value: webhookSecret.secretArn });
    // What a redrive with the AWS CLI names (docs/operations.md).
    new CfnOutput(this, 'WebhookOutboxArn', { value: queues.webhookOutbox.queueArn });
    new CfnOutput(this, 'WebhookDeadLettersArn', { value: queues.webhookDeadLetters.queueArn });
  }
}

/** The catalog's patterns use EventBridge's JSON keys; CDK wants `detailType` and `Match` for prefixes. */
function toEventPattern(pattern: EventRule['pattern']): events.EventPattern {
  return {
    source: [...pattern.source],
    detailType: events.Match.anyOf(
      ...pattern['detail-type'].map((p) => (typeof p === 'string' ? p : events.Match.prefix(p.prefix))),
    ),
  };
}
