import './polyfills.ts';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { TABLES } from '../functions/adapters/dynamo/tables.ts';
import type { Settings } from '../functions/core/use-cases/index.ts';
import {
  ENV,
  EVENT_TARGETS,
  HTTP_ROUTES,
  SCHEDULED,
  WORKFLOW_TASKS,
  WS_AUTHORIZER,
  WS_ROUTES,
} from '../functions/handlers/catalog.ts';
import { DEFAULT_SETTINGS, settingsEnvironment } from '../functions/handlers/shared/config.ts';
import { resetApp } from '../functions/handlers/shared/container.ts';
import { createLocalDynamo, type Faults } from './dynamo.ts';
import { type BusEvent, createLocalEventBus, type DeadLetter } from './event-bus.ts';
import { createGateway, sendJson } from './gateway.ts';
import { createDevIdentity, LOCAL_AUDIENCE } from './identity.ts';
import { invokeLambda, loadHandler } from './lambda.ts';
import { createLocalStepFunctions } from './stepfunctions.ts';

/** Settings default as in DEFAULT_SETTINGS (offer 20 s, queue 300 s, resiliency, wrap-up 60 s, grace 30 s...). */
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
  /** Where the CCaaS notifier POSTs its signed webhooks; none are delivered when absent. */
  ccaasWebhookUrl?: string;
  /**
   * The event bus's delivery retries: attempts per event and target (default 8), and the first delay,
   * doubled at each attempt (default 200 ms). Tests make them short; after the last, an event is dead-lettered.
   */
  eventRetry?: { maxAttempts?: number; baseDelayMs?: number };
}

export interface LocalStack {
  url: string;
  wsUrl: string;
  webhookSecret: string;
  faults: Faults;
  /** Every event published to the local bus, in order. */
  published: BusEvent[];
  /** Events whose delivery to a rule target failed every attempt (also at GET /v1/dead-letters). */
  deadLetters: DeadLetter[];
  close(): Promise<void>;
}

const FaultsBody = z
  .strictObject({
    interactionStore: z.enum(['up', 'down']).optional(),
    interactionStoreLatencyMs: z.number().int().min(0).max(60_000).optional(),
  })
  .refine((f) => Object.keys(f).length > 0);

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:RouteCall`;

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * The whole product on one machine and one port: the same handlers and the same ASL as on AWS, with real
 * SDK clients pointed at local stand-ins through AWS_ENDPOINT_URL_<SERVICE>.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const onError =
    options.onError ?? ((message, error) => process.stderr.write(`${message}: ${String(error)}\n`));
  const faults: Faults = { interactionStore: 'up', interactionStoreLatencyMs: 0 };
  const tableNames = Object.fromEntries(Object.values(TABLES).map((t) => [t.id, t.id]));
  const dynamo = createLocalDynamo({
    faults,
    tableNames,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  const invokers = new Map<string, (event: unknown) => Promise<unknown>>();
  async function invoker(handler: string) {
    const loaded = await loadHandler(handler);
    const invoke = (event: unknown) => invokeLambda(loaded, event, handler.replace('/', '-'));
    invokers.set(handler, invoke);
    return invoke;
  }

  const definition = JSON.parse(
    await readFile(new URL('../statemachines/route-call.asl.json', import.meta.url), 'utf8'),
  ) as unknown;
  const tasks: Record<string, (payload: unknown) => Promise<unknown>> = {};
  for (const task of WORKFLOW_TASKS) tasks[task.state] = await invoker(task.handler);
  const sfn = createLocalStepFunctions({
    definition,
    stateMachineArn: STATE_MACHINE_ARN,
    tasks,
    onExecutionEnd: (e) => {
      if (e.status === 'FAILED') onError(`execution ${e.name} failed`, `${e.error}: ${e.cause}`);
    },
  });

  const busName = 'call-resiliency';
  const bus = createLocalEventBus({
    busName,
    ...options.eventRetry,
    targets: await Promise.all(
      EVENT_TARGETS.map(async (t) => ({ rule: t.rule, invoke: await invoker(t.handler) })),
    ),
  });

  let identity: Awaited<ReturnType<typeof createDevIdentity>> | undefined;
  const gateway = createGateway({
    routes: {
      http: await Promise.all(
        HTTP_ROUTES.map(async (route) => ({ route, invoke: await invoker(route.handler) })),
      ),
      ws: new Map(
        await Promise.all(WS_ROUTES.map(async (r) => [r.route, await invoker(r.handler)] as const)),
      ),
      authorizer: await invoker(WS_AUTHORIZER.handler),
    },
    services: {
      DynamoDB_20120810: (req, res, body) => dynamo.handle(req, res, body),
      AWSStepFunctions: async (_req, res, body, operation) => {
        const out = await sfn.handle(operation, JSON.parse(body.toString('utf8') || '{}'));
        sendJson(res, out.status, out.body, { 'content-type': 'application/x-amz-json-1.0' });
      },
      AWSEvents: async (_req, res, body, operation) => {
        const out = await bus.handle(operation, JSON.parse(body.toString('utf8') || '{}'));
        sendJson(res, out.status, out.body, { 'content-type': 'application/x-amz-json-1.1' });
      },
    },
    extra: async (req, res, body, url) => {
      if (req.method === 'POST' && url.pathname === '/dev/token') {
        const agentId = (JSON.parse(body.toString('utf8') || '{}') as { agentId?: unknown }).agentId;
        if (typeof agentId !== 'string' || !agentId) {
          sendJson(res, 422, {
            error: { code: 'VALIDATION_FAILED', message: 'agentId: a non-empty string is required' },
          });
          return true;
        }
        sendJson(res, 200, { token: await identity?.issue(agentId) });
        return true;
      }
      if (req.method === 'GET' && url.pathname === '/dev/jwks') {
        sendJson(res, 200, identity?.jwks);
        return true;
      }
      if (url.pathname === '/dev/faults' && (req.method === 'PUT' || req.method === 'GET')) {
        if (req.method === 'PUT') {
          const parsed = FaultsBody.safeParse(JSON.parse(body.toString('utf8') || '{}'));
          if (!parsed.success) {
            const message =
              'send {"interactionStore": "up"|"down"} and/or {"interactionStoreLatencyMs": 0..60000}';
            sendJson(res, 422, { error: { code: 'VALIDATION_FAILED', message } });
            return true;
          }
          Object.assign(faults, parsed.data);
        }
        sendJson(res, 200, faults);
        return true;
      }
      // The dead-letter queues of the rule targets, which on AWS are SQS queues with an alarm.
      if (req.method === 'GET' && url.pathname === '/v1/dead-letters') {
        sendJson(res, 200, { deadLetters: bus.deadLetters });
        return true;
      }
      return false;
    },
    onError,
  });

  await new Promise<void>((resolve) =>
    gateway.server.listen(options.port ?? 3000, options.host ?? '127.0.0.1', resolve),
  );
  const { port } = gateway.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  identity = await createDevIdentity(`${url}/dev`);
  const webhookSecret = options.webhookSecret ?? generateWebhookSecret();

  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: url,
    AWS_ENDPOINT_URL_SFN: url,
    AWS_ENDPOINT_URL_EVENTBRIDGE: url,
    ...Object.fromEntries(Object.values(TABLES).map((t) => [t.envVar, tableNames[t.id]])),
    [ENV.stateMachineArn]: STATE_MACHINE_ARN,
    [ENV.eventBusName]: busName,
    [ENV.wsManagementEndpoint]: url,
    [ENV.webhookSecret]: webhookSecret,
    // Always set, so that a stack started after another in the same process does not inherit its receiver.
    [ENV.ccaasWebhookUrl]: options.ccaasWebhookUrl ?? '',
    [ENV.jwksUrl]: `${url}/dev/jwks`,
    [ENV.jwtIssuer]: identity.issuer,
    [ENV.jwtAudience]: LOCAL_AUDIENCE,
    ...settingsEnvironment({ ...DEFAULT_SETTINGS, ...definedOnly(options) }),
  });
  resetApp();
  await dynamo.createTables(url);

  const sweepers = await Promise.all(
    SCHEDULED.map(async (s) => {
      const invoke = await invoker(s.handler);
      let running = false;
      const timer = setInterval(
        () => {
          if (running) return;
          running = true;
          invoke({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} })
            .catch((err) => onError(`${s.name} failed`, err))
            .finally(() => {
              running = false;
            });
        },
        (options.sweepIntervalSeconds ?? s.everyMinutes * 60) * 1000,
      );
      timer.unref();
      return timer;
    }),
  );

  return {
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    webhookSecret,
    faults,
    published: bus.published,
    deadLetters: bus.deadLetters,
    async close() {
      for (const timer of sweepers) clearInterval(timer);
      await gateway.close();
      await sfn.close();
      await bus.close();
      await dynamo.close();
    },
  };
}

/** The setting keys of the options that were given (an explicit undefined keeps the default). */
function definedOnly(options: LocalStackOptions): Partial<Settings> {
  const keys = Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[];
  return Object.fromEntries(keys.filter((k) => options[k] !== undefined).map((k) => [k, options[k]]));
}
