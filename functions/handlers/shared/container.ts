import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { makeCcaasWebhooks } from '../../adapters/ccaas-webhooks.ts';
import { makeDocumentClient } from '../../adapters/dynamo/client.ts';
import {
  makeAgentStore,
  makeCallStore,
  makeInteractionStore,
  makeWorkItemStore,
} from '../../adapters/dynamo/stores.ts';
import { makeWebhookReceipts } from '../../adapters/dynamo/webhook-receipts.ts';
import { makeEventPublisher } from '../../adapters/event-publisher.ts';
import { makeJwtVerifier } from '../../adapters/jwt-verifier.ts';
import { makeSocketPusher } from '../../adapters/socket-pusher.ts';
import { makeStaffDirectory } from '../../adapters/staff-directory.ts';
import { makeWebhookOutbox } from '../../adapters/webhook-outbox.ts';
import { makeWebhookSigning } from '../../adapters/webhook-signing.ts';
import { makeWorkflowCallbacks, makeWorkflowStarter } from '../../adapters/workflow.ts';
import type {
  AgentTokens,
  CcaasWebhooks,
  WebhookOutbox,
  WebhookReceipts,
  WebhookSigning,
} from '../../core/ports.ts';
import { type Deps, makeUseCases, type UseCases } from '../../core/use-cases/index.ts';
import { type BundlePart, LEFT_OUT_WARNING } from '../../manifest/bundling.ts';
import { ENV } from '../../manifest/environment.ts';
import { QUEUES } from '../../manifest/queues.ts';
import { type Settings, settingsFromEnvironment } from '../../manifest/settings.ts';
import { TABLES, type TableKey } from '../../manifest/tables.ts';
import { logger } from './logger.ts';
import { metrics } from './metrics.ts';
import { traced } from './tracer.ts';

/** Reads a required variable; thrown at first use, with the variable's name, when it is missing. */
function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`missing environment variable ${name}`);
  return value;
}

/** A variable read at first use: a function that never uses a resource needs no configuration for it. */
const lazyEnv = (name: string) => () => requireEnv(name);

/** Builds a value once, when first asked for. */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
}

/** Everything a function's code talks to: the use cases' ports, and the edge's own. */
export interface Ports extends Deps {
  webhookSigning: WebhookSigning;
  webhookReceipts: WebhookReceipts;
  ccaasWebhooks: CcaasWebhooks;
  webhookOutbox: WebhookOutbox;
  agentTokens: AgentTokens;
}

declare global {
  interface ImportMeta {
    /** Set per function by its bundler: the parts its bundle leaves out (functions/manifest/bundling.ts). */
    readonly omits?: Readonly<Partial<Record<BundlePart, boolean>>>;
  }
}

/** What every client is built with besides the SDK's own configuration (region, endpoints, retries). */
interface ClientConfig {
  credentials: ReturnType<typeof fromEnv>;
}

/**
 * An SDK client as the functions use it: traced (on Lambda), and without the SDK's logger middleware. The
 * clients are given no logger, yet that middleware runs every request's input and every response through
 * their schemas' sensitive-data filter for the SDK's no-op logger: about 3 % of a function's CPU.
 */
export function sdkClient<Client extends Parameters<typeof traced>[0] & MiddlewareStackHolder>(
  made: Client,
): Client {
  made.middlewareStack.remove('loggerMiddleware');
  return traced(made);
}
type MiddlewareStackHolder = { middlewareStack: { remove(name: string): boolean } };

const TABLE_PORTS = ['calls', 'agents', 'interactions', 'workItems', 'webhookReceipts'] as const;
const WORKFLOW_PORTS = ['callbacks', 'starter'] as const;
const WEBHOOK_PORTS = ['webhookSigning', 'ccaasWebhooks'] as const;

/** The stores, over one DynamoDB client. */
function tablePorts(config: ClientConfig, settings: Settings): Pick<Ports, (typeof TABLE_PORTS)[number]> {
  const dynamo = makeDocumentClient(sdkClient(new DynamoDBClient(config)));
  const table = (key: TableKey) => lazyEnv(TABLES[key].envVar);
  const retention = () => settings.retentionDays;
  return {
    calls: makeCallStore(
      dynamo,
      { calls: table('calls'), callEntries: table('callEntries') },
      retention,
      logger,
    ),
    agents: makeAgentStore(dynamo, table('agents')),
    interactions: makeInteractionStore(dynamo, table('interactions'), retention),
    workItems: makeWorkItemStore(dynamo, table('workItems'), retention),
    webhookReceipts: makeWebhookReceipts({ doc: dynamo, tableName: table('webhookReceipts') }),
  };
}

/** The workflow's callbacks and starter, over one Step Functions client. */
function workflowPorts(config: ClientConfig): Pick<Ports, (typeof WORKFLOW_PORTS)[number]> {
  const sfn = sdkClient(new SFNClient(config));
  return {
    callbacks: makeWorkflowCallbacks(sfn),
    starter: makeWorkflowStarter(sfn, lazyEnv(ENV.stateMachineArn)),
  };
}

/** Signing with the CCaaS's secrets (from Secrets Manager on AWS), and the webhooks signed with them. */
function webhookPorts(config: ClientConfig): Pick<Ports, (typeof WEBHOOK_PORTS)[number]> {
  const webhookSigning = makeWebhookSigning(sdkClient(new SecretsManagerClient(config)), () => ({
    inline: process.env[ENV.webhookSecret],
    arn: process.env[ENV.webhookSecretArn],
  }));
  return {
    webhookSigning,
    ccaasWebhooks: makeCcaasWebhooks({
      url: () => process.env[ENV.ccaasWebhookUrl] ?? '',
      signing: webhookSigning,
      logger,
    }),
  };
}

/** Pushes to the agents' sockets; the client is built at the first push, from the stage's endpoint. */
function socketPorts(config: ClientConfig): Pick<Ports, 'pusher'> {
  const client = once(() =>
    sdkClient(
      new ApiGatewayManagementApiClient({ ...config, endpoint: requireEnv(ENV.wsManagementEndpoint) }),
    ),
  );
  return { pusher: makeSocketPusher(client, logger) };
}

function eventPorts(config: ClientConfig): Pick<Ports, 'events'> {
  return { events: makeEventPublisher(sdkClient(new EventBridgeClient(config)), lazyEnv(ENV.eventBusName)) };
}

/** The webhooks' outbox and its dead letters, over one SQS client (the notifier and the redrive route). */
function outboxPorts(config: ClientConfig): Pick<Ports, 'webhookOutbox'> {
  return {
    webhookOutbox: makeWebhookOutbox(sdkClient(new SQSClient(config)), {
      outboxUrl: lazyEnv(QUEUES.webhookOutbox.urlVar),
      outboxArn: lazyEnv(QUEUES.webhookOutbox.arnVar),
      deadLettersUrl: lazyEnv(QUEUES.webhookDeadLetters.urlVar),
      deadLettersArn: lazyEnv(QUEUES.webhookDeadLetters.arnVar),
    }),
  };
}

/** Who may still work as an agent, from the user pool (the sweep asks). */
function directoryPorts(config: ClientConfig): Pick<Ports, 'directory'> {
  const client = sdkClient(new CognitoIdentityProviderClient(config));
  return { directory: makeStaffDirectory(client, lazyEnv(ENV.userPoolId)) };
}

function tokenPorts(): Pick<Ports, 'agentTokens'> {
  return {
    agentTokens: makeJwtVerifier(() => ({
      jwksUrl: requireEnv(ENV.jwksUrl),
      issuer: requireEnv(ENV.jwtIssuer),
      ...(process.env[ENV.jwtAudience] ? { audience: process.env[ENV.jwtAudience] } : {}),
    })),
  };
}

/**
 * Ports whose part this function's bundle leaves out, as its catalog access grants nothing that needs it.
 * Calling one is a missing grant: it fails with AWS's AccessDeniedException (what the function's role would
 * get), and says so in a process warning, which Lambda writes to the function's log and the local runtime
 * reports as a runtime error, as it reports a refused action.
 */
function leftOut<K extends keyof Ports>(part: BundlePart, ports: readonly K[]): Pick<Ports, K> {
  const refusing = (port: string) =>
    new Proxy(
      {},
      {
        get: (_, method) =>
          // Not a thenable: a refusing port may be handed around, and only fails when called.
          typeof method !== 'string' || method === 'then'
            ? undefined
            : () => {
                const message = `${process.env.AWS_LAMBDA_FUNCTION_NAME} called ${port}.${method}, but its bundle leaves out ${part}: its catalog access grants nothing that needs it`;
                process.emitWarning(message, LEFT_OUT_WARNING);
                const error = new Error(message);
                error.name = 'AccessDeniedException';
                return Promise.reject(error);
              },
      },
    );
  return Object.fromEntries(ports.map((port) => [port, refusing(port)])) as Pick<Ports, K>;
}

/**
 * The composition root of a function, and the only place that builds SDK clients: one per service, shared
 * by the adapters that need it. Built from this function's environment, which the platform (Lambda, or the
 * local runtime) sets before the function is loaded and never changes afterwards.
 *
 * Each part (a client and the adapters over it) is built only if the function's bundle carries it. The
 * `import.meta.omits` checks must stay literal, right here: esbuild replaces each with `true` or `false`
 * per function, and drops the code a `true` makes dead, with the packages only that code imports.
 */
function makePorts(): Ports {
  // Lambda puts the role's credentials in the function's environment, and the local runtime the function's
  // own: read there, and nowhere else, which keeps the SDK's other credential sources out of the bundle.
  const config: ClientConfig = { credentials: fromEnv() };
  const settings = settingsFromEnvironment(process.env);
  return {
    ...(import.meta.omits?.dynamoDb ? leftOut('dynamoDb', TABLE_PORTS) : tablePorts(config, settings)),
    ...(import.meta.omits?.stepFunctions ? leftOut('stepFunctions', WORKFLOW_PORTS) : workflowPorts(config)),
    ...(import.meta.omits?.apiGatewayManagementApi
      ? leftOut('apiGatewayManagementApi', ['pusher'])
      : socketPorts(config)),
    ...(import.meta.omits?.eventBridge ? leftOut('eventBridge', ['events']) : eventPorts(config)),
    ...(import.meta.omits?.secretsManager ? leftOut('secretsManager', WEBHOOK_PORTS) : webhookPorts(config)),
    ...(import.meta.omits?.jwtVerifier ? leftOut('jwtVerifier', ['agentTokens']) : tokenPorts()),
    ...(import.meta.omits?.cognito ? leftOut('cognito', ['directory']) : directoryPorts(config)),
    ...(import.meta.omits?.sqs ? leftOut('sqs', ['webhookOutbox']) : outboxPorts(config)),
    clock: { now: () => new Date(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
    logger,
    metrics,
    settings,
  };
}

/** The ports of this function, built at its first invocation (so importing a handler stays cheap). */
export const ports = once(makePorts);

/** The use cases of this function, wired once to its ports. */
export const app: () => UseCases = once(() => makeUseCases(ports()));
