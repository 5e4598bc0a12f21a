import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
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
import { ENV } from '../../manifest/environment.ts';
import { QUEUES } from '../../manifest/queues.ts';
import { settingsFromEnvironment } from '../../manifest/settings.ts';
import { TABLES, type TableKey } from '../../manifest/tables.ts';
import { logger } from './logger.ts';

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

/**
 * The composition root of a function, and the only place that builds SDK clients: one per service, shared
 * by the adapters that need it. Built from this function's environment, which the platform (Lambda, or the
 * local runtime) sets before the function is loaded and never changes afterwards.
 */
function makePorts(): Ports {
  const dynamo = makeDocumentClient(new DynamoDBClient({}));
  const sfn = new SFNClient({});
  const table = (key: TableKey) => lazyEnv(TABLES[key].envVar);
  const settings = settingsFromEnvironment(process.env);
  const retention = () => settings.retentionDays;
  const webhookSigning = makeWebhookSigning(new SecretsManagerClient({}), () => ({
    inline: process.env[ENV.webhookSecret],
    arn: process.env[ENV.webhookSecretArn],
  }));
  return {
    calls: makeCallStore(dynamo, { calls: table('calls'), callEntries: table('callEntries') }, retention),
    agents: makeAgentStore(dynamo, table('agents')),
    interactions: makeInteractionStore(dynamo, table('interactions'), retention),
    workItems: makeWorkItemStore(dynamo, table('workItems'), retention),
    callbacks: makeWorkflowCallbacks(sfn),
    starter: makeWorkflowStarter(sfn, lazyEnv(ENV.stateMachineArn)),
    pusher: makeSocketPusher(
      once(() => new ApiGatewayManagementApiClient({ endpoint: requireEnv(ENV.wsManagementEndpoint) })),
      logger,
    ),
    events: makeEventPublisher(new EventBridgeClient({}), lazyEnv(ENV.eventBusName)),
    clock: { now: () => new Date(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
    logger,
    settings,
    webhookSigning,
    webhookReceipts: makeWebhookReceipts({ doc: dynamo, tableName: table('webhookReceipts') }),
    ccaasWebhooks: makeCcaasWebhooks({
      url: () => process.env[ENV.ccaasWebhookUrl] ?? '',
      signing: webhookSigning,
      logger,
    }),
    webhookOutbox: makeWebhookOutbox(new SQSClient({}), {
      outboxUrl: lazyEnv(QUEUES.webhookOutbox.urlVar),
      outboxArn: lazyEnv(QUEUES.webhookOutbox.arnVar),
      deadLettersUrl: lazyEnv(QUEUES.webhookDeadLetters.urlVar),
      deadLettersArn: lazyEnv(QUEUES.webhookDeadLetters.arnVar),
    }),
    agentTokens: makeJwtVerifier(() => ({
      jwksUrl: requireEnv(ENV.jwksUrl),
      issuer: requireEnv(ENV.jwtIssuer),
      ...(process.env[ENV.jwtAudience] ? { audience: process.env[ENV.jwtAudience] } : {}),
    })),
  };
}

/** The ports of this function, built at its first invocation (so importing a handler stays cheap). */
export const ports = once(makePorts);

/** The use cases of this function, wired once to its ports. */
export const app: () => UseCases = once(() => makeUseCases(ports()));
