import './polyfills.ts';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import {
  ACCESS,
  type Access,
  DEAD_LETTER_ATTRIBUTES,
  ENV,
  EVENT_RULES,
  environmentFor,
  environmentOf,
  FUNCTIONS,
  type FunctionEntry,
  functionsTriggeredBy,
  parseSettings,
  QUEUES,
  type QueueKey,
  queuesFedByRules,
  type Settings,
  settingsEnvironment,
  TABLES,
  type TableKey,
  TELEMETRY_ENVIRONMENT,
} from '../functions/manifest/index.ts';
import { createAwsEndpoint, jsonProtocolService, pause } from './aws-endpoint.ts';
import { createDevRoutes } from './dev-routes.ts';
import { createLocalDynamo, DYNAMODB_TARGET } from './dynamo.ts';
import { type BusEvent, createLocalEventBus, type DeadLetter } from './event-bus.ts';
import { startEventSourceMapping } from './event-source-mapping.ts';
import type { Faults } from './faults.ts';
import { createGateway } from './gateway.ts';
import { createGrants, type GrantsOptions } from './grants.ts';
import { listen } from './http-io.ts';
import { createDevIdentity, LOCAL_AUDIENCE } from './identity.ts';
import { type LambdaCounts, startLambdaService } from './lambda.ts';
import { startSimulatedCcaas } from './simulated-ccaas.ts';
import { createLocalSqs, sqsService } from './sqs.ts';
import { createLocalStepFunctions } from './stepfunctions/index.ts';
import { createLocalUserPool, userPoolService } from './user-pool.ts';
import { serveWebPages } from './web-pages.ts';

/**
 * Settings default as in DEFAULT_SETTINGS (offer 20 s, queue 300 s, resiliency, wrap-up 60 s, grace 30 s,
 * webhooks retried from 1 s to 15 min apart for a day...) and are validated as the functions validate them.
 */
export interface LocalStackOptions extends Partial<Settings> {
  port?: number;
  host?: string;
  /** One or more space-separated Standard Webhooks secrets (`whsec_...`); generated when absent. */
  webhookSecret?: string;
  /** Keep DynamoDB data on disk here; in memory when absent. */
  dataDir?: string;
  /** How often the sweeper runs (on AWS: every minute). */
  sweepIntervalSeconds?: number;
  /** Called for failures the runtime itself sees (a handler crashing outside its own error handling). */
  onError?: (message: string, error: unknown) => void;
  /**
   * Where the CCaaS notifier POSTs its signed webhooks; when absent, to the simulated CCaaS of the
   * /simulator page (local/simulated-ccaas.ts), which shows them.
   */
  ccaasWebhookUrl?: string;
  /**
   * The event bus's delivery retries: attempts per event and target (default 8), and the first delay,
   * doubled at each attempt (default 200 ms). Tests make them short; after the last, an event is dead-lettered.
   */
  eventRetry?: { maxAttempts?: number; baseDelayMs?: number };
  /** The functions to run (default: the whole catalog). Tests take a grant away to see it fail. */
  functions?: readonly FunctionEntry[];
  /**
   * Milliseconds added to each request to a local AWS service (by IAM prefix, `execute-api` for
   * `@connections`, and operation) and to each invocation of a function (`lambda`, by trigger type): AWS's
   * own latencies, for the bench's AWS profile. None by default.
   */
  awsLatencyMs?: (service: string, operation: string) => number;
  /**
   * Execution environments (threads) for the functions (local/lambda.ts). `npm start` and the bench run
   * MACHINE_LAMBDA_ENVIRONMENTS; 1 by default, so that a test's stack starts one thread.
   */
  lambdaEnvironments?: number;
}

/**
 * The functions' execution environments for the whole system on this machine: one per core, 2 at most. Each
 * loads every function (about 210 MB), and past two the main thread and DynamoDB's, one each, are what hold
 * the stack back.
 */
export const MACHINE_LAMBDA_ENVIRONMENTS = Math.min(2, availableParallelism());

/** What the functions and the services did, as AWS bills it (see `LocalStack.counters`). */
export interface StackCounters extends LambdaCounts {
  /** Step Functions state transitions: every state entered, and every retry. */
  stateTransitions: number;
  /** Events EventBridge rules delivered to queues (the webhook outbox): one SQS SendMessage each. */
  queuedByRules: number;
}

export interface LocalStack {
  url: string;
  wsUrl: string;
  webhookSecret: string;
  /**
   * The local AWS services the functions call (DynamoDB, Step Functions, EventBridge, `@connections`), on
   * a loopback-only port of their own, with the state machine and the bus, for SDK clients in tests.
   */
  awsEndpoint: string;
  stateMachineArn: string;
  eventBusName: string;
  faults: Faults;
  /** The events published to the local bus, in order (the most recent five thousand at least). */
  published: BusEvent[];
  /**
   * What is dead-lettered (also at GET /v1/dead-letters), with the queue it is in on AWS: events whose
   * delivery to a rule target failed every attempt (the most recent five thousand at least), and the
   * messages of the webhook outbox's dead-letter queue.
   */
  readonly deadLetters: ListedDeadLetter[];
  /** The SQS queues of the stack, for SDK clients in tests (on the local AWS endpoint). */
  queues: Record<QueueKey, { url: string; arn: string }>;
  /**
   * Resolves once the event deliveries under way have ended: delivered, or dead-lettered after retries. An
   * event for a queue (the webhook outbox) is delivered once queued; its consumer takes it from there.
   */
  eventsSettled(): Promise<void>;
  /**
   * What happened since the stack started or the last `counters(true)`, which starts a new count: the
   * functions' invocations and their AWS SDK requests (counted by a middleware on every client they
   * build), Step Functions state transitions, events the bus put on queues.
   */
  counters(reset?: boolean): Promise<StackCounters>;
  /** The JavaScript heap in use by the functions' execution environment, in bytes. */
  functionsHeapUsed(): Promise<number>;
  close(): Promise<void>;
}

/** A dead letter as the local runtime lists it: what failed, why, and the queue it is in on AWS. */
export interface ListedDeadLetter extends Omit<DeadLetter, 'event'> {
  queue: string;
  /** The bus event; for a queue's message that is not JSON, its body as text. */
  event: unknown;
}

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:RouteCall`;
const EVENT_BUS_NAME = 'call-resiliency';
/** What EventBridge Scheduler hands a scheduled function. */
const SCHEDULED_EVENT = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };
/** Knobs of the host that its functions honour too: log level, SDK warnings. */
const PASSED_THROUGH = [
  'POWERTOOLS_LOG_LEVEL',
  'POWERTOOLS_METRICS_DISABLED',
  'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
];

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * The whole product on one machine: the same handlers and the same ASL as on AWS, with real SDK clients
 * pointed at local stand-ins through AWS_ENDPOINT_URL_<SERVICE>. The product's REST and WebSocket APIs are
 * on the public port; the stand-ins answer the functions' SDK clients in process, and anyone else on a
 * loopback-only port of their own (local/aws-endpoint.ts). The functions run in their own execution
 * environment (local/lambda.ts), DynamoDB in a thread of its own (local/dynamo.ts); the functions'
 * environment variables are built here, once the port is known and before any function is loaded.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const onError =
    options.onError ?? ((message, error) => process.stderr.write(`${message}: ${String(error)}\n`));
  const functions = options.functions ?? FUNCTIONS;
  const settings = parseSettings(
    (key) => options[key],
    (key) => `option ${key}`,
  );
  const tableNames = Object.fromEntries(Object.values(TABLES).map((t) => [t.id, t.id]));

  // The gateway, the workflows and the bus take their invokers before the Lambda service exists: its
  // environment needs the AWS endpoint's port.
  let lambda: ReturnType<typeof startLambdaService> | undefined;
  const invoker = (entry: FunctionEntry) => (event: unknown) => {
    const service = lambda;
    if (!service) throw new Error('the local Lambda service is not started');
    const latency = pause(options.awsLatencyMs?.('lambda', entry.trigger.type) ?? 0);
    return latency ? latency.then(() => service.invoke(entry, event)) : service.invoke(entry, event);
  };

  const definition = JSON.parse(
    await readFile(new URL('../statemachines/route-call.asl.json', import.meta.url), 'utf8'),
  ) as unknown;
  const sfn = createLocalStepFunctions({
    definition,
    stateMachineArn: STATE_MACHINE_ARN,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    onError,
    tasks: Object.fromEntries(
      functionsTriggeredBy('workflow', functions).map((t) => [t.trigger.state, invoker(t)]),
    ),
    onExecutionEnd: (e) => {
      if (e.status === 'FAILED') onError(`execution ${e.name} failed`, `${e.error}: ${e.cause}`);
    },
  });

  const queueKeys = Object.keys(QUEUES) as QueueKey[];
  const sqs = createLocalSqs({
    account: ACCOUNT,
    region: REGION,
    queues: queueKeys.map((key) => {
      const { id, visibilityTimeoutSeconds, retentionDays, deadLetters } = QUEUES[key];
      return {
        key,
        name: id,
        visibilityTimeoutSeconds,
        retentionSeconds: retentionDays * 24 * 3600,
        ...(deadLetters
          ? {
              redrive: {
                deadLetters: deadLetters.queue,
                maxReceiveCount: deadLetters.maxReceiveCount(settings),
              },
            }
          : {}),
      };
    }),
  });

  let queuedByRules = 0;
  const bus = createLocalEventBus({
    busName: EVENT_BUS_NAME,
    ...options.eventRetry,
    targets: [
      ...functionsTriggeredBy('event', functions).map((t) => ({ rule: t.trigger.rule, invoke: invoker(t) })),
      // A queue target: the whole event is the message's body, as EventBridge sends it.
      ...queuesFedByRules().map(({ key, rule }) => ({
        rule,
        invoke: async (event: BusEvent) => {
          queuedByRules++;
          return sqs.send(key, JSON.stringify(event));
        },
      })),
    ],
  });

  const userPool = createLocalUserPool();
  /** The queues messages are dead-lettered to, with the rule of the queue that sends them there. */
  const deadLetterQueues = queueKeys.flatMap((source) => {
    const { deadLetters, rule } = QUEUES[source];
    return deadLetters && rule
      ? [{ key: deadLetters.queue, rule, maxReceiveCount: deadLetters.maxReceiveCount(settings) }]
      : [];
  });
  /** What GET /v1/dead-letters lists: the bus's dead letters, then those of the queues, oldest first. */
  const listDeadLetters = (): ListedDeadLetter[] => [
    ...bus.deadLetters.map((letter) => ({
      ...letter,
      queue: `${EVENT_RULES[letter.rule as keyof typeof EVENT_RULES].name}DeadLetters`,
    })),
    ...deadLetterQueues.flatMap(({ key, rule, maxReceiveCount }) =>
      sqs.messagesOf(key).map((message) => ({
        queue: QUEUES[key].id,
        rule,
        // Set aside by the notifier, with why; else moved by SQS after the maximum receive count.
        error:
          message.attributes[DEAD_LETTER_ATTRIBUTES.error]?.StringValue ??
          `received ${maxReceiveCount} times without being handled`,
        attempts: Number(message.attributes[DEAD_LETTER_ATTRIBUTES.attempts]?.StringValue ?? maxReceiveCount),
        event: parsedOrText(message.body),
      })),
    ),
  ];

  const grantsOptions: GrantsOptions = {
    functions,
    tables: Object.fromEntries(
      Object.entries(TABLES).map(([key, t]) => [tableNames[t.id] ?? t.id, key as TableKey]),
    ),
    queues: Object.fromEntries(queueKeys.map((key) => [QUEUES[key].id, key])),
    stateMachineArn: STATE_MACHINE_ARN,
    eventBusName: EVENT_BUS_NAME,
    userPoolId: userPool.id,
    account: ACCOUNT,
    onRefused: (message) => onError('AWS refused a function', message),
  };
  const grants = createGrants(grantsOptions);
  const dynamo = createLocalDynamo({
    tableNames,
    grants: grantsOptions,
    onError,
    ...(options.awsLatencyMs ? { latencyMs: options.awsLatencyMs } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  const { faults } = dynamo;
  const webhookSecret = options.webhookSecret ?? generateWebhookSecret();
  /** Our REST API's URL, once the public port is open: where the simulated CCaaS sends its callbacks. */
  let publicUrl = '';
  const ccaas = await startSimulatedCcaas({
    secrets: webhookSecret,
    baseUrl: () => publicUrl,
    ...(options.ccaasWebhookUrl ? { externalWebhookUrl: options.ccaasWebhookUrl } : {}),
  });
  const identity = await createDevIdentity();
  const devRoutes = createDevRoutes({ identity, userPool, faults, deadLetters: () => listDeadLetters() });
  const webPages = serveWebPages();
  const [authorizer] = functionsTriggeredBy('authorizer', functions);
  if (!authorizer) throw new Error('the catalog has no WebSocket authorizer');
  const gateway = createGateway({
    routes: {
      http: functionsTriggeredBy('http', functions).map((f) => ({ route: f.trigger, invoke: invoker(f) })),
      ws: new Map(functionsTriggeredBy('websocket', functions).map((f) => [f.trigger.route, invoker(f)])),
      authorizer: invoker(authorizer),
    },
    extra: async (req, res, body, url) =>
      webPages(req, res, url) || (await devRoutes(req, res, body, url)) || ccaas.routes(req, res, body, url),
    jwtClaims: identity.httpClaims,
    onError,
  });
  const aws = createAwsEndpoint({
    services: {
      [DYNAMODB_TARGET]: dynamo.service,
      AWSStepFunctions: jsonProtocolService('states', '1.0', (operation, body) =>
        sfn.handle(operation, JSON.parse(body || '{}')),
      ),
      AWSEvents: jsonProtocolService('events', '1.1', (operation, body) =>
        bus.handle(operation, JSON.parse(body || '{}')),
      ),
      AWSCognitoIdentityProviderService: userPoolService(userPool),
      AmazonSQS: sqsService(sqs),
    },
    authorize: grants.authorize,
    connections: gateway.manageConnection,
    jwks: () => identity.jwks,
    onError,
    ...(options.awsLatencyMs ? { latencyMs: options.awsLatencyMs } : {}),
  });
  const awsEndpoint = await aws.listen();

  // What the catalog's access lists name: each function is given the variables of its own access only.
  const resources: Record<string, string | undefined> = {
    ...Object.fromEntries(Object.values(TABLES).map((t) => [t.envVar, tableNames[t.id] ?? t.id])),
    [ENV.stateMachineArn]: STATE_MACHINE_ARN,
    [ENV.eventBusName]: EVENT_BUS_NAME,
    [ENV.wsManagementEndpoint]: awsEndpoint,
    [ENV.webhookSecret]: webhookSecret,
    [ENV.ccaasWebhookUrl]: ccaas.webhookUrl,
    [ENV.jwksUrl]: `${awsEndpoint}/jwks`,
    [ENV.jwtIssuer]: identity.issuer,
    [ENV.jwtAudience]: LOCAL_AUDIENCE,
    [ENV.userPoolId]: userPool.id,
    ...Object.fromEntries(
      queueKeys.flatMap((key) => [
        [QUEUES[key].urlVar, sqs.urlOf(key, awsEndpoint)],
        [QUEUES[key].arnVar, sqs.arnOf(key)],
      ]),
    ),
  };
  lambda = startLambdaService({
    functions,
    environment: {
      ...Object.fromEntries(
        PASSED_THROUGH.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
      ),
      AWS_REGION: REGION,
      // Several invocations share an environment, as on Lambda Managed Instances, 16 at most: the others
      // wait for room (local/lambda.ts). More at once on one core would only make each of them slower, until
      // their timeouts fire and their retries pile on.
      AWS_LAMBDA_MAX_CONCURRENCY: '16',
      AWS_ENDPOINT_URL_DYNAMODB: awsEndpoint,
      AWS_ENDPOINT_URL_SFN: awsEndpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: awsEndpoint,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: awsEndpoint,
      AWS_ENDPOINT_URL_SQS: awsEndpoint,
      ...TELEMETRY_ENVIRONMENT,
      ...settingsEnvironment(settings),
    },
    guarded: {
      variables: environmentOf(Object.keys(ACCESS) as Access[]),
      granted: (entry) => environmentOf(entry.access),
    },
    ownEnvironment: (entry) => ({
      ...grants.credentialsOf(entry),
      ...environmentFor(entry.access, resources),
    }),
    // The functions' SDK calls to the endpoint skip the loopback: the same dispatch answers them, and
    // DynamoDB's thread answers its own.
    aws: {
      endpoint: awsEndpoint,
      dispatch: aws.dispatch,
      direct: { [DYNAMODB_TARGET]: () => dynamo.connect() },
    },
    onError,
    environments: options.lambdaEnvironments ?? 1,
  });
  let mappings: { close(): Promise<void> }[] = [];
  // In this order: the functions still running need the local AWS services.
  const stop = async () => {
    await gateway.disconnectAll();
    await sfn.close();
    await bus.close();
    await Promise.all(mappings.map((m) => m.close()));
    sqs.close();
    await lambda?.close();
    await gateway.close();
    await ccaas.close();
    await aws.close();
    await dynamo.close();
  };
  let port: number;
  const sweeps = functionsTriggeredBy('schedule', functions);
  try {
    await dynamo.createTables(awsEndpoint);
    await lambda.warm();
    // What ran before a restart goes on: the workflows where they were (their tokens still answer them),
    // and one sweep forgets the sockets that died with the old process, as their $disconnect would have.
    await sfn.resume();
    mappings = functionsTriggeredBy('queue', functions).map((consumer) =>
      startEventSourceMapping({
        sqs,
        queue: consumer.trigger.queue,
        queueArn: sqs.arnOf(consumer.trigger.queue),
        region: REGION,
        batchSize: consumer.trigger.batchSize,
        functionName: consumer.handler,
        invoke: invoker(consumer),
        authorize: (action) =>
          grants.authorizeFunction(consumer, action, {
            QueueUrl: sqs.urlOf(consumer.trigger.queue, awsEndpoint),
          }),
        onError,
      }),
    );
    for (const sweep of sweeps) await lambda.invoke(sweep, SCHEDULED_EVENT);
    // The public port opens last, once every function can answer: nobody sees a half-started runtime.
    port = await listen(gateway.server, options.port ?? 3000, options.host ?? '127.0.0.1');
    publicUrl = `http://127.0.0.1:${port}`;
  } catch (err) {
    // A runtime that cannot start leaves nothing behind: no port held, no worker running.
    await stop();
    throw err;
  }

  const sweepers = sweeps.map((s) => {
    const invoke = invoker(s);
    let running = false;
    const timer = setInterval(
      () => {
        if (running) return;
        running = true;
        invoke(SCHEDULED_EVENT)
          .catch((err) => onError(`${s.trigger.name} failed`, err))
          .finally(() => {
            running = false;
          });
      },
      (options.sweepIntervalSeconds ?? s.trigger.everyMinutes * 60) * 1000,
    );
    timer.unref();
    return timer;
  });

  return {
    url: publicUrl,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    webhookSecret,
    awsEndpoint,
    stateMachineArn: STATE_MACHINE_ARN,
    eventBusName: EVENT_BUS_NAME,
    faults,
    published: bus.published,
    get deadLetters() {
      return listDeadLetters();
    },
    queues: Object.fromEntries(
      queueKeys.map((key) => [key, { url: sqs.urlOf(key, awsEndpoint), arn: sqs.arnOf(key) }]),
    ) as LocalStack['queues'],
    eventsSettled: () => bus.settled(),
    functionsHeapUsed: () => lambda?.heapUsed() ?? Promise.resolve(0),
    async counters(reset = false) {
      const counted = {
        ...(await (lambda as NonNullable<typeof lambda>).counts(reset)),
        stateTransitions: sfn.transitions(reset),
        queuedByRules,
      };
      if (reset) queuedByRules = 0;
      return counted;
    },
    async close() {
      for (const timer of sweepers) clearInterval(timer);
      await stop();
    },
  };
}

/** A message body as the JSON it holds, or as its text when it is not JSON. */
function parsedOrText(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
