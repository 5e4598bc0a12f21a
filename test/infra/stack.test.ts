import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { isBuiltin } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Access,
  BUNDLE_PARTS,
  type BundlePart,
  bundlePartsOf,
  DEFAULT_SETTINGS,
  ENV,
  EVENT_RULES,
  environmentOf,
  FUNCTIONS,
  type FunctionEntry,
  functionsTriggeredBy,
  indexesOf,
  isSdkImport,
  keySchemaOf,
  METRIC_UNITS,
  METRICS_NAMESPACE,
  NEVER_LOADED,
  permissionsOf,
  QUEUES,
  type QueueKey,
  SERVICE_NAME,
  TABLES,
  type TableDefinition,
  WEBHOOK_RETRY_LOG,
  webhookOutboxMaxReceiveCount,
} from '../../functions/manifest/index.ts';
import { CallResiliencyStack } from '../../lib/call-resiliency-stack.ts';
import {
  alarmEmailFromContext,
  ccaasWebhookUrlFromContext,
  DEFAULT_ROUTING_CONFIG,
  type RoutingConfig,
  routingConfigFromContext,
  signInConfigFromContext,
} from '../../lib/config.ts';
import { buildWebPages, HOSTED_PAGES } from '../../web/build.ts';

/** The catalog's functions, with the fields of their triggers at hand for the test names. */
const CATALOG_ENTRIES = FUNCTIONS;
const HTTP_ROUTES = functionsTriggeredBy('http').map((f) => ({ ...f, ...f.trigger }));
const WS_ROUTES = functionsTriggeredBy('websocket').map((f) => ({ ...f, ...f.trigger }));
const [WS_AUTHORIZER] = functionsTriggeredBy('authorizer') as [FunctionEntry];
const WORKFLOW_TASKS = functionsTriggeredBy('workflow').map((f) => ({ ...f, ...f.trigger }));
const EVENT_TARGETS = functionsTriggeredBy('event').map((f) => ({ ...f, ...f.trigger }));
const SCHEDULED = functionsTriggeredBy('schedule').map((f) => ({ ...f, ...f.trigger }));
const QUEUE_CONSUMERS = functionsTriggeredBy('queue').map((f) => ({ ...f, ...f.trigger }));

/** CloudFormation template fragments: untyped JSON. */
type Json = any;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CDK_CONTEXT: Record<string, unknown> = JSON.parse(readFileSync(`${ROOT}cdk.json`, 'utf8')).context;
const ENVIRONMENT = { account: '000000000000', region: 'us-east-1' };
const CCAAS_WEBHOOK_URL = 'https://ccaas.example.com/webhooks';
const ALARM_EMAIL = 'oncall@example.com';
const WORKSPACE_URL = 'https://workspace.example.com/';

/** Actions IAM authorizes on "*" only (no resource type), the one reason a statement may name "*". */
const ACTIONS_AUTHORIZED_ON_STAR_ONLY = new Set([
  // Task tokens identify the task; the callback API has no resource type.
  'states:SendTaskSuccess',
  'states:SendTaskFailure',
  'states:SendTaskHeartbeat',
  // X-Ray tracing of the functions and the state machine.
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  // CloudWatch Logs vended log delivery of the state machine.
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
]);
const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query'];
/**
 * The most a function's bundle may weigh, minified (KB of 1024 bytes), the SDK left to its layer. A bundle
 * that grows past it has taken on something to look at; the README's table says what each weighs.
 */
const BUNDLE_BUDGET_KB = 250;

function synthesize(context: Record<string, unknown>, routing: RoutingConfig = DEFAULT_ROUTING_CONFIG) {
  const outdir = mkdtempSync(join(tmpdir(), 'call-resiliency-cdk-'));
  const app = new App({ outdir, context: { ...CDK_CONTEXT, ...context } });
  const stack = new CallResiliencyStack(app, 'CallResiliency', {
    env: ENVIRONMENT,
    routing,
    ccaasWebhookUrl: CCAAS_WEBHOOK_URL,
    alarmEmail: ALARM_EMAIL,
    signIn: { domainPrefix: 'callresiliency-test', callbackUrls: [WORKSPACE_URL] },
  });
  const assembly = app.synth();
  const template = Template.fromJSON(assembly.getStackByName(stack.stackName).template);
  return { app, outdir, template };
}

/** Logical ids an intrinsic (Ref, Fn::GetAtt, inside Fn::Join...) refers to. */
function referencedIds(value: Json): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (value === null || typeof value !== 'object') return [];
  if (typeof value.Ref === 'string') return [value.Ref];
  if (Array.isArray(value['Fn::GetAtt'])) return [value['Fn::GetAtt'][0]];
  return Object.values(value).flatMap(referencedIds);
}

/** An intrinsic as readable text: `https://<WebSocketApi1234>.execute-api.us-east-1.<AWS::URLSuffix>/live`. */
function render(value: Json): string {
  if (typeof value === 'string') return value;
  if (typeof value.Ref === 'string') return `<${value.Ref}>`;
  if (Array.isArray(value['Fn::GetAtt'])) return `<${value['Fn::GetAtt'].join('.')}>`;
  if (Array.isArray(value['Fn::Join'])) return value['Fn::Join'][1].map(render).join(value['Fn::Join'][0]);
  return JSON.stringify(value);
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** The package an import names: `@smithy/core/protocols` → `@smithy/core`. */
const packageOf = (specifier: string): string => /^(?:@[^/]+\/)?[^/]+/.exec(specifier)?.[0] ?? specifier;

describe('the CallResiliency stack', () => {
  let outdir: string;
  let app: App;
  let template: Template;
  /** Catalog handler → logical id of the function whose bundle was built from that handler file. */
  const functionIdOf = new Map<string, string>();
  const resources = (type: string): [string, Json][] => Object.entries(template.findResources(type));
  const onlyResource = (type: string, props: Json = {}): [string, Json] => {
    const found = Object.entries(template.findResources(type, { Properties: props }));
    expect(found, `${type} ${JSON.stringify(props)}`).toHaveLength(1);
    return found[0] as [string, Json];
  };
  const functionOf = (entry: FunctionEntry): Json => {
    const id = functionIdOf.get(entry.handler);
    if (!id) throw new Error(`no function built from ${entry.handler}`);
    return template.toJSON().Resources[id];
  };
  const statementsOf = (entry: FunctionEntry): Json[] => {
    const [roleId] = referencedIds(functionOf(entry).Properties.Role);
    return resources('AWS::IAM::Policy')
      .filter(([, policy]) => referencedIds(policy.Properties.Roles).includes(roleId as string))
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
  };
  const tableId = (key: keyof typeof TABLES): string =>
    onlyResource('AWS::DynamoDB::Table', { KeySchema: keySchemaOf(TABLES[key]) })[0];
  const webSocketApiId = () => onlyResource('AWS::ApiGatewayV2::Api', { ProtocolType: 'WEBSOCKET' })[0];
  /** A queue of the manifest: the one SQS queue whose logical id starts with its construct id. */
  const queueId = (key: QueueKey): string => {
    const ids = resources('AWS::SQS::Queue')
      .map(([id]) => id)
      .filter((id) => id.startsWith(QUEUES[key].id));
    expect(ids, key).toHaveLength(1);
    return ids[0] as string;
  };
  const httpApiId = () => onlyResource('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' })[0];
  const distributionId = () => onlyResource('AWS::CloudFront::Distribution')[0];
  /** The folder of one of the pages' deployment sources: the build (0), config.json (1). */
  const deployedAsset = (index: number): string => {
    const [, deployment] = onlyResource('Custom::CDKBucketDeployment');
    return assetFolder({ S3Key: deployment.Properties.SourceObjectKeys[index] });
  };

  /** The folder of a code asset (a function's `Code`, a layer's `Content`), as cdk.out holds it. */
  const assetFolder = (code: Json): string =>
    join(outdir, `asset.${String(code.S3Key).replace(/\.zip$/, '')}`);
  /** The folder of a function's code asset: its bundle (index.mjs) and the bundle's source map. */
  const assetOf = (fn: Json): string => assetFolder(fn.Properties.Code);
  const bundleOf = (entry: FunctionEntry): string => join(assetOf(functionOf(entry)), 'index.mjs');
  /** The files esbuild read to build a function's bundle, as its source map lists them. */
  const sourcesOf = (fn: Json): string[] =>
    JSON.parse(readFileSync(join(assetOf(fn), 'index.mjs.map'), 'utf8')).sources;
  /** The packages a function's bundle imports rather than carries (Node.js builtins aside), as esbuild reads it. */
  const importsOf = async (entry: FunctionEntry): Promise<string[]> => {
    const { metafile } = await build({
      entryPoints: [bundleOf(entry)],
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const imports = Object.values(metafile.inputs).flatMap((input) => input.imports);
    return [...new Set(imports.filter((i) => i.external && !isBuiltin(i.path)).map((i) => i.path))].sort();
  };
  /**
   * BucketDeployment's function (AWS's own, Python, which copies the pages to their bucket while the
   * stack deploys): the one function that is not ours, with its layer (the AWS CLI).
   */
  const deploymentFunction = (): [string, Json] => {
    const [, deployment] = onlyResource('Custom::CDKBucketDeployment');
    const [id] = referencedIds(deployment.Properties.ServiceToken);
    return [id as string, template.toJSON().Resources[id as string]];
  };
  const sdkLayer = (): [string, Json] => {
    const deploymentLayers = referencedIds(deploymentFunction()[1].Properties.Layers);
    const layers = resources('AWS::Lambda::LayerVersion').filter(([id]) => !deploymentLayers.includes(id));
    expect(layers).toHaveLength(1);
    return layers[0] as [string, Json];
  };
  /** What the SDK layer puts at /opt/nodejs/node_modules. */
  const layerModules = (): string =>
    join(assetFolder(sdkLayer()[1].Properties.Content), 'nodejs', 'node_modules');
  /**
   * A folder for bundles to run in as on Lambda: nothing around them but the SDK layer's packages, which
   * their imports find in the folder's node_modules as Lambda's find them in /opt/nodejs/node_modules.
   */
  const lambdaLikeFolder = (): string => {
    const folder = mkdtempSync(join(tmpdir(), 'call-resiliency-bundles-'));
    symlinkSync(layerModules(), join(folder, 'node_modules'), 'dir');
    return folder;
  };
  /** A function's bundle copied alone into a folder of its own, below a lambdaLikeFolder. */
  const isolatedBundleOf = (entry: FunctionEntry, into: string): string => {
    const dir = join(into, entry.handler.replace(/\W+/g, '-'));
    mkdirSync(dir);
    copyFileSync(bundleOf(entry), join(dir, 'index.mjs'));
    return join(dir, 'index.mjs');
  };

  beforeAll(() => {
    ({ app, outdir, template } = synthesize({}));
    // The source map of each bundle lists the files esbuild read: exactly one catalog handler file.
    const [deploymentFunctionId] = deploymentFunction();
    for (const [id, fn] of resources('AWS::Lambda::Function').filter(([id]) => id !== deploymentFunctionId)) {
      const sources = sourcesOf(fn);
      for (const entry of CATALOG_ENTRIES) {
        if (!sources.some((source) => source.endsWith(`/functions/handlers/${entry.handler}.ts`))) continue;
        expect(functionIdOf.has(entry.handler), `${entry.handler} bundled twice`).toBe(false);
        functionIdOf.set(entry.handler, id);
      }
    }
  }, 300_000);

  afterAll(() => {
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  it('bundles each catalog entry into its own function, from its own handler file', () => {
    expect([...functionIdOf.keys()].sort()).toEqual(CATALOG_ENTRIES.map((entry) => entry.handler).sort());
    expect(new Set(functionIdOf.values()).size).toBe(CATALOG_ENTRIES.length);
    // Besides BucketDeployment's, which is not ours.
    expect(resources('AWS::Lambda::Function')).toHaveLength(CATALOG_ENTRIES.length + 1);
  });

  it(`keeps every function's bundle within ${BUNDLE_BUDGET_KB} KB, minified`, () => {
    const sizes = CATALOG_ENTRIES.map((entry) => ({
      handler: entry.handler,
      kb: statSync(bundleOf(entry)).size / 1024,
    }));
    expect(sizes.length).toBeGreaterThan(0);
    expect(
      sizes
        .filter(({ kb }) => kb > BUNDLE_BUDGET_KB)
        .map(({ handler, kb }) => `${handler}: ${kb.toFixed(1)} KB`),
      `bundles over ${BUNDLE_BUDGET_KB} KB`,
    ).toEqual([]);
  });

  it('gives each function the parts its access needs: clients of the services it may call, a verifier', () => {
    const partsOf = (handler: string) =>
      [...bundlePartsOf(CATALOG_ENTRIES.find((entry) => entry.handler === handler)?.access ?? [])].sort();
    expect(partsOf('ws/authorizer')).toEqual(['jwtVerifier']);
    expect(partsOf('http/get-call')).toEqual(['dynamoDb']);
    expect(partsOf('events/ccaas-notifier')).toEqual(['secretsManager', 'sqs']);
    expect(partsOf('scheduled/sweeper')).toContain('cognito');
    expect(partsOf('ws/accept')).toEqual([
      'apiGatewayManagementApi',
      'dynamoDb',
      'eventBridge',
      'stepFunctions',
    ]);
  });

  it.each(CATALOG_ENTRIES)(
    'bundles into $handler, or imports from the SDK layer, the packages of its parts, and of no other part',
    async (entry) => {
      const packages = new Set([
        ...sourcesOf(functionOf(entry)).flatMap(
          (file) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1] ?? [],
        ),
        ...(await importsOf(entry)).map(packageOf),
      ]);
      const carried = bundlePartsOf(entry.access);
      for (const [part, names] of Object.entries(BUNDLE_PARTS)) {
        for (const name of names) {
          expect(packages.has(name), `${name} (${part})`).toBe(carried.has(part as BundlePart));
        }
      }
    },
  );

  it('ships the SDK in one layer for Node.js 22 on arm64, without what it never loads, to every function', () => {
    const [layerId, layer] = sdkLayer();

    expect(layer.Properties).toMatchObject({
      CompatibleRuntimes: ['nodejs22.x'],
      CompatibleArchitectures: ['arm64'],
    });
    expect(NEVER_LOADED.filter((name) => existsSync(join(layerModules(), name)))).toEqual([]);
    for (const entry of CATALOG_ENTRIES) {
      expect(referencedIds(functionOf(entry).Properties.Layers), entry.handler).toEqual([layerId]);
    }
  });

  it('holds in the SDK layer every package a bundle imports, and bundles import nothing but the SDK', async () => {
    const imports = await Promise.all(
      CATALOG_ENTRIES.map(async (entry) => ({ handler: entry.handler, imported: await importsOf(entry) })),
    );
    expect(imports.flatMap(({ imported }) => imported).length, 'imports found').toBeGreaterThan(0);

    expect(
      imports.flatMap(({ handler, imported }) =>
        imported
          .filter(
            (name) =>
              !isSdkImport(name) || !existsSync(join(layerModules(), packageOf(name), 'package.json')),
          )
          .map((name) => `${handler}: ${name}`),
      ),
      'imports that are not of the SDK, or not in its layer',
    ).toEqual([]);
  });

  it('loads every bundle with nothing around it but Node.js and the SDK layer, as Lambda does', async () => {
    const isolated = lambdaLikeFolder();
    try {
      const bundles = CATALOG_ENTRIES.map((entry) => [entry.handler, isolatedBundleOf(entry, isolated)]);
      const script = `for (const [handler, file] of ${JSON.stringify(bundles)}) {
        try {
          if (typeof (await import(file)).handler !== 'function') console.log(handler + ': no handler export');
        } catch (err) {
          console.log(handler + ': ' + err.message);
        }
      }`;
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
        cwd: isolated,
        // As on Lambda, where the tracer (and its X-Ray SDK) is loaded from the layer: off Lambda it is not.
        env: {
          PATH: process.env.PATH,
          POWERTOOLS_LOG_LEVEL: 'SILENT',
          AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        },
      });
      expect(stdout.split('\n').filter(Boolean), 'bundles that did not load').toEqual([]);
    } finally {
      rmSync(isolated, { recursive: true, force: true });
    }
  });

  it('signs the AWS calls of a bundle with the credentials in its environment, and looks nowhere else', async () => {
    // A DynamoDB that notes who signed each request, and has no item.
    const signers: string[] = [];
    const dynamo = createServer((req, res) => {
      signers.push(/Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? 'nobody');
      req.resume().on('end', () => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
    const isolated = lambdaLikeFolder();
    const [getCall] = functionsTriggeredBy('http').filter((entry) => entry.handler === 'http/get-call');
    const event = {
      version: '2.0',
      routeKey: 'GET /v1/calls/{callId}',
      rawPath: '/v1/calls/call-none',
      pathParameters: { callId: 'call-none' },
      headers: {},
      requestContext: {
        requestId: 'r-1',
        http: { method: 'GET', path: '/v1/calls/call-none' },
        authorizer: { jwt: { claims: { sub: 'probe', 'cognito:groups': '[supervisors]' } } },
      },
      isBase64Encoded: false,
    };
    /** One invocation of the bundle in a process of its own, with this environment besides its table's. */
    const invoke = async (credentials: Record<string, string>) => {
      const file = isolatedBundleOf(getCall as FunctionEntry, mkdtempSync(join(isolated, 'run-')));
      const script = `const { handler } = await import(${JSON.stringify(file)});
        const context = { awsRequestId: 'r-1', functionName: 'http-get-call', getRemainingTimeInMillis: () => 5000 };
        console.log('RESULT ' + JSON.stringify(await handler(${JSON.stringify(event)}, context)));`;
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        ['--input-type=module', '-e', script],
        {
          cwd: isolated,
          env: {
            PATH: process.env.PATH,
            AWS_REGION: 'us-east-1',
            AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`,
            [TABLES.calls.envVar]: 'Calls',
            POWERTOOLS_LOG_LEVEL: 'ERROR',
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            ...credentials,
          },
        },
      );
      const result = stdout.split('\n').find((line) => line.startsWith('RESULT '));
      return { result: JSON.parse(result?.slice('RESULT '.length) ?? 'null'), logs: stdout + stderr };
    };
    try {
      const signed = await invoke({ AWS_ACCESS_KEY_ID: 'AKIDBUNDLEPROBE', AWS_SECRET_ACCESS_KEY: 'probe' });
      expect(signed.result).toMatchObject({ statusCode: 404 });
      expect(signers).toEqual(['AKIDBUNDLEPROBE']);

      // No credentials in the environment: no other source is tried (the SDK's others are not in its layer).
      const unsigned = await invoke({});
      expect(unsigned.result).toMatchObject({ statusCode: 500 });
      expect(unsigned.logs).toContain('Unable to find environment variable credentials.');
      expect(signers).toEqual(['AKIDBUNDLEPROBE']);
    } finally {
      dynamo.close();
      rmSync(isolated, { recursive: true, force: true });
    }
  });

  it.each(CATALOG_ENTRIES)(
    'runs $handler on Node.js 22, arm64, with source maps, tracing and its own logs',
    (entry) => {
      const { Properties: props } = functionOf(entry);

      expect(props).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        Timeout: entry.timeoutSeconds ?? 10,
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
      });
      expect(props.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
      const [logGroupId] = referencedIds(props.LoggingConfig.LogGroup);
      expect(template.toJSON().Resources[logGroupId as string].Properties.RetentionInDays).toBeGreaterThan(0);
    },
  );

  it.each(HTTP_ROUTES)('routes $method $path to the function built from $handler', (route) => {
    const [, apiRoute] = onlyResource('AWS::ApiGatewayV2::Route', {
      RouteKey: `${route.method} ${route.path}`,
    });
    expect(referencedIds(apiRoute.Properties.ApiId)).toEqual([httpApiId()]);

    const [integrationId] = referencedIds(apiRoute.Properties.Target);
    const integration = template.toJSON().Resources[integrationId as string];
    expect(integration.Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
    expect(referencedIds(integration.Properties.IntegrationUri)).toContain(functionIdOf.get(route.handler));
  });

  it('writes access logs for the HTTP API', () => {
    const [, stage] = onlyResource('AWS::ApiGatewayV2::Stage', { StageName: '$default' });

    expect(referencedIds(stage.Properties.ApiId)).toEqual([httpApiId()]);
    expect(stage.Properties.AccessLogSettings.DestinationArn).toBeDefined();
  });

  it('writes access logs for the WebSocket API, with an account CloudWatch role kept on deletion', () => {
    const [, stage] = onlyResource('AWS::ApiGatewayV2::Stage', { StageName: 'live' });
    const [accountId, account] = onlyResource('AWS::ApiGateway::Account');
    const [roleId] = referencedIds(account.Properties.CloudWatchRoleArn);
    const role = template.toJSON().Resources[roleId as string];

    expect(stage.Properties.AccessLogSettings.DestinationArn).toBeDefined();
    // The stage's logging is only valid once the account has its role.
    expect(stage.DependsOn).toContain(accountId);
    expect(account.DeletionPolicy).toBe('Retain');
    expect(role.DeletionPolicy).toBe('Retain');
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
      Service: 'apigateway.amazonaws.com',
    });
  });

  it.each(WS_ROUTES)('routes WebSocket $route to the function built from $handler', (route) => {
    const [, apiRoute] = onlyResource('AWS::ApiGatewayV2::Route', { RouteKey: route.route });
    expect(referencedIds(apiRoute.Properties.ApiId)).toEqual([webSocketApiId()]);

    const [integrationId] = referencedIds(apiRoute.Properties.Target);
    const integration = template.toJSON().Resources[integrationId as string];
    expect(referencedIds(integration.Properties.IntegrationUri)).toContain(functionIdOf.get(route.handler));
  });

  it('authorizes $connect, and only $connect, with the token authorizer', () => {
    const [authorizerId, authorizer] = onlyResource('AWS::ApiGatewayV2::Authorizer', {
      ApiId: { Ref: webSocketApiId() },
    });
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      IdentitySource: ['route.request.querystring.token'],
    });
    expect(referencedIds(authorizer.Properties.AuthorizerUri)).toContain(
      functionIdOf.get(WS_AUTHORIZER.handler),
    );

    for (const [, route] of resources('AWS::ApiGatewayV2::Route')) {
      if (referencedIds(route.Properties.ApiId)[0] !== webSocketApiId()) continue;
      const authorized = route.Properties.AuthorizationType === 'CUSTOM';
      expect(authorized, route.Properties.RouteKey).toBe(route.Properties.RouteKey === '$connect');
      if (authorized) expect(referencedIds(route.Properties.AuthorizerId)).toEqual([authorizerId]);
    }
  });

  it('asks a token of the user pool, for its client, on every HTTP route but the two signed CCaaS callbacks', () => {
    const [authorizerId, authorizer] = onlyResource('AWS::ApiGatewayV2::Authorizer', {
      ApiId: { Ref: httpApiId() },
    });
    const [poolId] = onlyResource('AWS::Cognito::UserPool');
    const [clientId] = onlyResource('AWS::Cognito::UserPoolClient');
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: [{ Ref: clientId }] },
    });
    expect(referencedIds(authorizer.Properties.JwtConfiguration.Issuer)).toEqual([poolId]);

    const open: string[] = [];
    for (const [, route] of resources('AWS::ApiGatewayV2::Route')) {
      if (referencedIds(route.Properties.ApiId)[0] !== httpApiId()) continue;
      if (route.Properties.AuthorizationType === 'JWT') {
        expect(referencedIds(route.Properties.AuthorizerId)).toEqual([authorizerId]);
      } else open.push(route.Properties.RouteKey);
    }
    expect(open.sort()).toEqual(['POST /v1/calls', 'POST /v1/calls/{callId}/events']);
    expect(open).toEqual(
      HTTP_ROUTES.filter((r) => r.signed)
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    );
  });

  it('serves the WebSocket API on the auto-deployed stage live', () => {
    const [, stage] = onlyResource('AWS::ApiGatewayV2::Stage', { StageName: 'live' });

    expect(stage.Properties.AutoDeploy).toBe(true);
    expect(referencedIds(stage.Properties.ApiId)).toEqual([webSocketApiId()]);
  });

  it('runs RouteCall as a STANDARD state machine whose every placeholder names a workflow task', () => {
    const [, machine] = onlyResource('AWS::StepFunctions::StateMachine');
    const { DefinitionString: definition, DefinitionSubstitutions: substitutions } = machine.Properties;

    expect(machine.Properties.StateMachineType).toBe('STANDARD');
    expect(typeof definition).toBe('string');
    const substituted = Object.keys(substitutions).reduce(
      (text: string, key) =>
        text.replaceAll(`\${${key}}`, 'arn:aws:lambda:us-east-1:000000000000:function:x'),
      definition,
    );
    expect(substituted).not.toContain('${');
    for (const task of WORKFLOW_TASKS) {
      expect(referencedIds(substitutions[`${task.state}FunctionArn`]), task.state).toEqual([
        functionIdOf.get(task.handler),
      ]);
    }
  });

  it('lets the state machine invoke exactly the workflow task functions, and logs every event (no data) and traces', () => {
    const [, machine] = onlyResource('AWS::StepFunctions::StateMachine');
    const [roleId] = referencedIds(machine.Properties.RoleArn);
    const invoked = resources('AWS::IAM::Policy')
      .filter(([, policy]) => referencedIds(policy.Properties.Roles).includes(roleId as string))
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement)
      .filter((statement: Json) => asList(statement.Action).includes('lambda:InvokeFunction'))
      .flatMap((statement: Json) => referencedIds(statement.Resource));

    expect(invoked.sort()).toEqual(WORKFLOW_TASKS.map((task) => functionIdOf.get(task.handler)).sort());
    expect(machine.Properties.LoggingConfiguration).toMatchObject({
      Level: 'ALL',
      IncludeExecutionData: false,
    });
    expect(machine.Properties.TracingConfiguration).toEqual({ Enabled: true });
  });

  it.each(Object.values(TABLES))(
    'keeps the $id table on demand, retained and protected from deletion, with point-in-time recovery, its indexes and a TTL',
    (table) => {
      const [, resource] = onlyResource('AWS::DynamoDB::Table', { KeySchema: keySchemaOf(table) });

      expect(resource.DeletionPolicy).toBe('Retain');
      expect(resource.Properties.DeletionProtectionEnabled).toBe(true);
      expect(resource.Properties.BillingMode).toBe('PAY_PER_REQUEST');
      expect(resource.Properties.PointInTimeRecoverySpecification).toEqual({
        PointInTimeRecoveryEnabled: true,
      });
      expect(resource.Properties.AttributeDefinitions.every((a: Json) => a.AttributeType === 'S')).toBe(true);
      expect(resource.Properties.GlobalSecondaryIndexes ?? []).toEqual(
        indexesOf(table).map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      );
      const ttl = (table as TableDefinition).timeToLiveAttribute;
      expect(resource.Properties.TimeToLiveSpecification).toEqual({ AttributeName: ttl, Enabled: true });
    },
  );

  it('archives every event of the bus for 30 days, for replays', () => {
    const [busId] = onlyResource('AWS::Events::EventBus');
    const [, archive] = onlyResource('AWS::Events::Archive');

    expect(referencedIds(archive.Properties.SourceArn)).toEqual([busId]);
    expect(archive.Properties.RetentionDays).toBe(30);
    expect(archive.Properties.EventPattern.account).toHaveLength(1);
  });

  it('names no resource itself but after the stack, so a second copy fits in the same account and region', () => {
    const [, bus] = onlyResource('AWS::Events::EventBus');
    expect(bus.Properties.Name).toContain('CallResiliency');
    const named: Record<string, string> = {
      'AWS::Lambda::Function': 'FunctionName',
      'AWS::Logs::LogGroup': 'LogGroupName',
      'AWS::SQS::Queue': 'QueueName',
      'AWS::DynamoDB::Table': 'TableName',
      'AWS::StepFunctions::StateMachine': 'StateMachineName',
      'AWS::SecretsManager::Secret': 'Name',
      'AWS::IAM::Role': 'RoleName',
    };
    for (const [type, property] of Object.entries(named)) {
      for (const [id, resource] of resources(type)) {
        // Lambda's own name for a function's log group, which the function's generated name makes unique.
        const lambdaLogGroup = `/aws/lambda/<${referencedIds(resource.Properties[property])[0]}>`;
        if (type === 'AWS::Logs::LogGroup' && resource.Properties[property]) {
          expect(render(resource.Properties[property]), id).toBe(lambdaLogGroup);
        } else expect(resource.Properties[property], id).toBeUndefined();
      }
    }
  });

  it.each(EVENT_TARGETS)(
    'delivers $rule events from the stack’s bus to $handler, dead-lettering to an encrypted queue',
    (target) => {
      const [busId] = onlyResource('AWS::Events::EventBus');
      const [, rule] = onlyResource('AWS::Events::Rule', { EventPattern: EVENT_RULES[target.rule].pattern });
      expect(referencedIds(rule.Properties.EventBusName)).toEqual([busId]);
      const [ruleTarget] = rule.Properties.Targets;
      expect(referencedIds(ruleTarget.Arn)).toEqual([functionIdOf.get(target.handler)]);
      expect(ruleTarget.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
      expect(ruleTarget.RetryPolicy.MaximumEventAgeInSeconds).toBeGreaterThan(0);

      const [queueId] = referencedIds(ruleTarget.DeadLetterConfig.Arn);
      const queue = template.toJSON().Resources[queueId as string];
      expect(queue.Type).toBe('AWS::SQS::Queue');
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      const [, queuePolicy] = onlyResource('AWS::SQS::QueuePolicy', { Queues: [{ Ref: queueId }] });
      expect(queuePolicy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
      // Failures inside the handler, after a successful delivery, land in the same queue.
      const [, invokeConfig] = onlyResource('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: functionIdOf.get(target.handler) },
      });
      expect(referencedIds(invokeConfig.Properties.DestinationConfig.OnFailure.Destination)).toEqual([
        queueId,
      ]);
      // Any dead letter raises an alarm.
      const alarms = resources('AWS::CloudWatch::Alarm').filter(([, alarm]) =>
        (alarm.Properties.Dimensions ?? []).some(
          (d: Json) => d.Name === 'QueueName' && referencedIds(d.Value).includes(queueId as string),
        ),
      );
      expect(alarms).toHaveLength(1);
      expect(alarms[0]?.[1].Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    },
  );

  it('queues CcaasNotifications events in the encrypted webhook outbox, which sends to its dead-letter queue what it cannot deliver', () => {
    const [busId] = onlyResource('AWS::Events::EventBus');
    const [, rule] = onlyResource('AWS::Events::Rule', {
      EventPattern: EVENT_RULES.ccaasNotifications.pattern,
    });
    const [target] = rule.Properties.Targets;
    const outbox = template.toJSON().Resources[queueId('webhookOutbox')];
    const deadLetters = template.toJSON().Resources[queueId('webhookDeadLetters')];

    expect(referencedIds(rule.Properties.EventBusName)).toEqual([busId]);
    expect(referencedIds(target.Arn)).toEqual([queueId('webhookOutbox')]);
    // What EventBridge could not queue goes to the same dead-letter queue as the webhooks given up.
    expect(referencedIds(target.DeadLetterConfig.Arn)).toEqual([queueId('webhookDeadLetters')]);
    expect(target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(outbox.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: QUEUES.webhookOutbox.visibilityTimeoutSeconds,
      MessageRetentionPeriod: 14 * 24 * 3600,
      RedrivePolicy: { maxReceiveCount: webhookOutboxMaxReceiveCount(DEFAULT_SETTINGS) },
    });
    expect(referencedIds(outbox.Properties.RedrivePolicy.deadLetterTargetArn)).toEqual([
      queueId('webhookDeadLetters'),
    ]);
    // Both as the local runtime emulates them, from the manifest.
    expect(deadLetters.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: QUEUES.webhookDeadLetters.visibilityTimeoutSeconds,
      MessageRetentionPeriod: QUEUES.webhookDeadLetters.retentionDays * 24 * 3600,
    });
    const [, outboxPolicy] = onlyResource('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId('webhookOutbox') }],
    });
    expect(outboxPolicy.Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: expect.arrayContaining(['sqs:SendMessage']),
        }),
      ]),
    );
  });

  it.each(QUEUE_CONSUMERS)(
    'lets Lambda feed $handler batches of up to $batchSize messages of the $queue queue, keeping the ones it reports failed',
    (consumer) => {
      const [, mapping] = onlyResource('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: functionIdOf.get(consumer.handler) },
      });

      expect(referencedIds(mapping.Properties.EventSourceArn)).toEqual([queueId(consumer.queue)]);
      expect(mapping.Properties).toMatchObject({
        BatchSize: consumer.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      // Lambda polls with the function's role: its access list grants that, on this queue.
      const polls = statementsOf(consumer).filter((statement) =>
        asList(statement.Action).includes('sqs:ReceiveMessage'),
      );
      expect(polls.flatMap((statement) => referencedIds(statement.Resource))).toEqual([
        queueId(consumer.queue),
      ]);
      expect(polls.flatMap((statement) => asList(statement.Action))).toEqual(
        expect.arrayContaining([
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:ChangeMessageVisibility',
        ]),
      );
      // No asynchronous invocation to configure: nothing invokes it but its queue.
      expect(
        resources('AWS::Lambda::EventInvokeConfig').filter(([, config]) =>
          referencedIds(config.Properties.FunctionName).includes(
            functionIdOf.get(consumer.handler) as string,
          ),
        ),
      ).toEqual([]);
    },
  );

  it('alarms on the webhook dead letters, on an outbox nobody takes from, and on webhooks the CCaaS has not taken for 15 minutes', () => {
    const alarms = resources('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    const onQueue = (key: QueueKey, metric: string) =>
      alarms.filter(
        (alarm) =>
          alarm.MetricName === metric &&
          (alarm.Dimensions ?? []).some((d: Json) => referencedIds(d.Value).includes(queueId(key))),
      );

    expect(onQueue('webhookDeadLetters', 'ApproximateNumberOfMessagesVisible')).toEqual([
      expect.objectContaining({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' }),
    ]);
    expect(onQueue('webhookOutbox', 'ApproximateAgeOfOldestMessage')).toEqual([
      expect.objectContaining({ Threshold: 900, Statistic: 'Maximum', Period: 60 }),
    ]);
    const notifier = QUEUE_CONSUMERS.find((c) => c.queue === 'webhookOutbox') as FunctionEntry;
    const [logGroupId] = referencedIds(functionOf(notifier).Properties.LoggingConfig.LogGroup);
    const [, filter] = onlyResource('AWS::Logs::MetricFilter');
    expect(filter.Properties.LogGroupName).toEqual({ Ref: logGroupId });
    expect(filter.Properties.FilterPattern).toContain(WEBHOOK_RETRY_LOG.message);
    const [transformation] = filter.Properties.MetricTransformations;
    expect(transformation.MetricValue).toBe(`$.${WEBHOOK_RETRY_LOG.ageField}`);
    // A webhook not taken is retried at least every 15 minutes: the alarm looks back that far, and more.
    expect(
      alarms.filter(
        (alarm) =>
          alarm.MetricName === transformation.MetricName &&
          alarm.Namespace === transformation.MetricNamespace,
      ),
    ).toEqual([
      expect.objectContaining({
        Threshold: 900,
        Statistic: 'Maximum',
        Period: 300,
        EvaluationPeriods: 4,
        DatapointsToAlarm: 1,
      }),
    ]);
  });

  it('notifies one encrypted topic, which alarmEmail subscribes to, from every alarm; at least one per failure signal', () => {
    const [topicId, topic] = onlyResource('AWS::SNS::Topic');
    const alarms = resources('AWS::CloudWatch::Alarm');

    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    expect(onlyResource('AWS::SNS::Subscription', { Protocol: 'email' })[1].Properties.Endpoint).toBe(
      ALARM_EMAIL,
    );
    expect(alarms.length).toBeGreaterThanOrEqual(10);
    for (const [id, alarm] of alarms)
      expect(referencedIds(alarm.Properties.AlarmActions), id).toEqual([topicId]);
    const watched = JSON.stringify(alarms.map(([, alarm]) => alarm.Properties));
    for (const metric of [
      'Errors',
      'Throttles',
      'ExecutionsFailed',
      '5xx',
      'IntegrationError',
      'ThrottledRequests',
      'ApproximateNumberOfMessagesVisible',
    ]) {
      expect(watched, metric).toContain(`"MetricName":"${metric}"`);
    }
    // One per function, so the alarm names the function that failed.
    for (const entry of CATALOG_ENTRIES) {
      const fnId = functionIdOf.get(entry.handler) as string;
      expect(watched, entry.handler).toContain(`"Ref":"${fnId}"`);
    }
  });

  it('draws one dashboard, with every metric of the product besides the resources’', () => {
    const [, dashboard] = onlyResource('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const name of Object.keys(METRIC_UNITS)) {
      expect(body, name).toContain(`\\"${METRICS_NAMESPACE}\\",\\"${name}\\"`);
    }
  });

  it('alarms when an answered call has waited 15 minutes for its interaction', () => {
    const [, alarm] = onlyResource('AWS::CloudWatch::Alarm', { MetricName: 'OldestPendingInteractionAge' });
    expect(alarm.Properties).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
      Statistic: 'Maximum',
      Threshold: 900,
    });
  });

  it.each(CATALOG_ENTRIES)(
    'names the service and the metrics namespace of $handler, and keeps responses out of its traces',
    (entry) => {
      expect(functionOf(entry).Properties.Environment.Variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
      });
    },
  );

  it.each(SCHEDULED)('keeps the failed runs of $handler in a queue, with an alarm', (scheduled) => {
    const [, invokeConfig] = onlyResource('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionIdOf.get(scheduled.handler) },
    });
    const [queueId] = referencedIds(invokeConfig.Properties.DestinationConfig.OnFailure.Destination);
    const alarmed = resources('AWS::CloudWatch::Alarm').some(([, alarm]) =>
      (alarm.Properties.Dimensions ?? []).some((d: Json) =>
        referencedIds(d.Value).includes(queueId as string),
      ),
    );
    expect(alarmed).toBe(true);
  });

  it.each(SCHEDULED)('invokes $handler every $everyMinutes minute(s)', (scheduled) => {
    const unit = scheduled.everyMinutes === 1 ? 'minute' : 'minutes';
    const [, rule] = onlyResource('AWS::Events::Rule', {
      ScheduleExpression: `rate(${scheduled.everyMinutes} ${unit})`,
    });

    expect(referencedIds(rule.Properties.Targets[0].Arn)).toEqual([functionIdOf.get(scheduled.handler)]);
  });

  it('grants no service-wide action and names Resource "*" only for actions IAM authorizes on "*" alone', () => {
    const statements = [
      ...resources('AWS::IAM::Policy').flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement),
      ...resources('AWS::IAM::Role').flatMap(([, role]) =>
        (role.Properties.Policies ?? []).flatMap((policy: Json) => policy.PolicyDocument.Statement),
      ),
    ].filter((statement: Json) => statement.Effect === 'Allow');

    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      const actions: string[] = asList(statement.Action);
      expect(actions.filter((action) => action === '*' || action.endsWith(':*'))).toEqual([]);
      if (asList(statement.Resource).includes('*')) {
        expect(actions.filter((action) => !ACTIONS_AUTHORIZED_ON_STAR_ONLY.has(action))).toEqual([]);
      }
    }
    // But BucketDeployment's, which CDK gives the policy to write its logs (acknowledged in lib/web-hosting.ts).
    const [deploymentRoleId] = referencedIds(deploymentFunction()[1].Properties.Role);
    for (const [id, role] of resources('AWS::IAM::Role')) {
      if (id === deploymentRoleId) {
        expect(role.Properties.ManagedPolicyArns.map(render)).toEqual([
          'arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
        ]);
      } else expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });

  it('gives http/get-call, which lacks interactions:write, no write grant on the Interactions table', () => {
    const getCall = HTTP_ROUTES.find((route) => route.handler === 'http/get-call') as FunctionEntry;
    const interactions = tableId('interactions');

    const writes = statementsOf(getCall)
      .filter((statement) => referencedIds(statement.Resource).includes(interactions))
      .flatMap((statement) => asList(statement.Action))
      .filter((action) => TABLE_WRITE_ACTIONS.includes(action));

    expect(getCall.access).not.toContain('interactions:write');
    expect(writes).toEqual([]);
  });

  it.each(CATALOG_ENTRIES)(
    'grants $handler table reads and writes exactly as its access list says',
    (entry) => {
      for (const key of Object.keys(TABLES) as (keyof typeof TABLES)[]) {
        const actions = statementsOf(entry)
          .filter((statement) => referencedIds(statement.Resource).includes(tableId(key)))
          .flatMap((statement) => asList(statement.Action));
        const mayWrite = entry.access.includes(`${key}:write` as Access);
        const mayRead = mayWrite || entry.access.includes(`${key}:read` as Access);

        expect(
          TABLE_WRITE_ACTIONS.some((action) => actions.includes(action)),
          `${key} write`,
        ).toBe(mayWrite);
        expect(
          TABLE_READ_ACTIONS.every((action) => actions.includes(action)),
          `${key} read`,
        ).toBe(mayRead);
      }
    },
  );

  it.each(CATALOG_ENTRIES)(
    'grants $handler the actions of its permissions, the ones the local runtime enforces, and no other',
    (entry) => {
      // Besides logs and traces, Lambda sends a failed async invocation to its on-failure queue with the
      // function's role (checked with the dead-letter queues).
      const onFailure = resources('AWS::Lambda::EventInvokeConfig')
        .filter(([, config]) =>
          referencedIds(config.Properties.FunctionName).includes(functionIdOf.get(entry.handler) as string),
        )
        .flatMap(([, config]) => referencedIds(config.Properties.DestinationConfig.OnFailure.Destination));
      const granted = statementsOf(entry)
        .filter((statement) => {
          const ids = referencedIds(statement.Resource);
          return ids.length === 0 || !ids.every((id) => onFailure.includes(id));
        })
        .flatMap((statement) => asList(statement.Action) as string[])
        .filter((action) => !/^(logs|xray):/.test(action));
      const listed = permissionsOf(entry.access).flatMap((permission) => permission.actions);

      expect(new Set(granted)).toEqual(new Set(listed));
    },
  );

  it.each(CATALOG_ENTRIES)('sets the environment of $handler from its access list', (entry) => {
    const variables = functionOf(entry).Properties.Environment.Variables;
    const has = (access: Access) => entry.access.includes(access);

    expect(variables).toMatchObject({
      OFFER_TIMEOUT_SECONDS: '20',
      MAX_QUEUE_SECONDS: '300',
      INTERACTION_MODE: 'resiliency',
      POWERTOOLS_SERVICE_NAME: 'call-resiliency',
    });
    for (const [key, table] of Object.entries(TABLES)) {
      const uses = has(`${key}:read` as Access) || has(`${key}:write` as Access);
      expect(table.envVar in variables, table.envVar).toBe(uses);
      if (uses) expect(referencedIds(variables[table.envVar])).toEqual([tableId(key as keyof typeof TABLES)]);
    }
    expect(ENV.stateMachineArn in variables, ENV.stateMachineArn).toBe(has('workflow:start'));
    expect(ENV.eventBusName in variables, ENV.eventBusName).toBe(has('events:publish'));
    expect(ENV.wsManagementEndpoint in variables, ENV.wsManagementEndpoint).toBe(has('sockets:push'));
    expect('CCAAS_WEBHOOK_SECRET_ARN' in variables).toBe(has('webhook:verify') || has('webhook:sign'));
    expect(variables[ENV.ccaasWebhookUrl], ENV.ccaasWebhookUrl).toBe(
      has('webhook:sign') ? CCAAS_WEBHOOK_URL : undefined,
    );
    for (const name of [ENV.jwksUrl, ENV.jwtIssuer, ENV.jwtAudience]) {
      expect(name in variables, name).toBe(has('jwt:verify'));
    }
    for (const key of Object.keys(QUEUES) as QueueKey[]) {
      for (const name of [QUEUES[key].urlVar, QUEUES[key].arnVar]) {
        const given = environmentOf(entry.access).includes(name);
        expect(name in variables, name).toBe(given);
        if (given) expect(referencedIds(variables[name]), name).toEqual([queueId(key)]);
      }
    }
    expect(environmentOf(['webhookOutbox:consume'])).toEqual([QUEUES.webhookOutbox.urlVar]);
  });

  it('points pushing functions at the management endpoint of the live stage', () => {
    const pusher = CATALOG_ENTRIES.find((entry) => entry.access.includes('sockets:push')) as FunctionEntry;

    expect(render(functionOf(pusher).Properties.Environment.Variables[ENV.wsManagementEndpoint])).toBe(
      `https://<${webSocketApiId()}>.execute-api.us-east-1.<AWS::URLSuffix>/live`,
    );
  });

  it('lets the authorizer verify tokens of the agent user pool', () => {
    const [poolId] = onlyResource('AWS::Cognito::UserPool');
    const [clientId] = onlyResource('AWS::Cognito::UserPoolClient');
    const variables = functionOf(WS_AUTHORIZER).Properties.Environment.Variables;
    const issuer = `https://cognito-idp.us-east-1.<AWS::URLSuffix>/<${poolId}>`;

    expect(render(variables[ENV.jwtIssuer])).toBe(issuer);
    expect(render(variables[ENV.jwksUrl])).toBe(`${issuer}/.well-known/jwks.json`);
    expect(referencedIds(variables[ENV.jwtAudience])).toEqual([clientId]);
  });

  it('lets the workspace sign in on the managed login pages with authorization code and PKCE only', () => {
    const [clientId, client] = onlyResource('AWS::Cognito::UserPoolClient');
    const [, domain] = onlyResource('AWS::Cognito::UserPoolDomain');
    const [, branding] = onlyResource('AWS::Cognito::ManagedLoginBranding');

    expect(client.Properties).toMatchObject({
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      SupportedIdentityProviders: ['COGNITO'],
    });
    // Each hosted page comes back to itself after sign-in and sign-out; then the URLs of the context.
    const site = `https://<${distributionId()}.DomainName>/`;
    for (const urls of [client.Properties.CallbackURLs, client.Properties.LogoutURLs]) {
      expect(urls.map(render)).toEqual([site, `${site}supervisor`, WORKSPACE_URL]);
    }
    expect(client.Properties.GenerateSecret ?? false).toBe(false);
    expect(domain.Properties).toMatchObject({ Domain: 'callresiliency-test', ManagedLoginVersion: 2 });
    expect(referencedIds(branding.Properties.ClientId)).toEqual([clientId]);
    const groups = resources('AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName);
    expect(groups.sort()).toEqual(['admins', 'agents', 'supervisors']);
  });

  it('keeps the pages in a private bucket, without website hosting, that only the distribution reads, over TLS', () => {
    const [bucketId, bucket] = onlyResource('AWS::S3::Bucket');
    const [, policy] = onlyResource('AWS::S3::BucketPolicy', { Bucket: { Ref: bucketId } });
    const [, distribution] = onlyResource('AWS::CloudFront::Distribution');
    const [origin] = distribution.Properties.DistributionConfig.Origins;
    const [oacId, oac] = onlyResource('AWS::CloudFront::OriginAccessControl');

    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.WebsiteConfiguration).toBeUndefined();
    expect(referencedIds(origin.DomainName)).toEqual([bucketId]);
    expect(referencedIds(origin.OriginAccessControlId)).toEqual([oacId]);
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
    });
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    const allowed = statements.filter((statement: Json) => statement.Effect === 'Allow');
    expect(allowed).toHaveLength(1);
    expect(allowed[0]).toMatchObject({
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
    });
    expect(referencedIds(allowed[0].Condition.StringEquals['AWS:SourceArn'])).toContain(distributionId());
  });

  it('serves the pages over HTTPS only, with a content security policy naming the two APIs and the sign-in domain', () => {
    const [, distribution] = onlyResource('AWS::CloudFront::Distribution');
    const config = distribution.Properties.DistributionConfig;
    const [policyId] = referencedIds(config.DefaultCacheBehavior.ResponseHeadersPolicyId);
    const headers =
      template.toJSON().Resources[policyId as string].Properties.ResponseHeadersPolicyConfig
        .SecurityHeadersConfig;
    const [domainId] = onlyResource('AWS::Cognito::UserPoolDomain');

    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('https-only');
    expect(config.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(render(headers.ContentSecurityPolicy.ContentSecurityPolicy)).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; " +
        `connect-src 'self' <${httpApiId()}.ApiEndpoint> <${webSocketApiId()}.ApiEndpoint> https://<${domainId}>.auth.us-east-1.amazoncognito.com; ` +
        "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(headers).toMatchObject({
      ContentSecurityPolicy: { Override: true },
      StrictTransportSecurity: {
        AccessControlMaxAgeSec: 365 * 24 * 3600,
        IncludeSubdomains: true,
        Override: true,
      },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY' },
    });
  });

  it('lets the pages call the HTTP API from their origin with a token, and carries no credentials', () => {
    const [, api] = onlyResource('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });

    expect(api.Properties.CorsConfiguration).toMatchObject({
      AllowOrigins: ['*'],
      AllowHeaders: ['authorization', 'content-type'],
      AllowMethods: ['GET', 'PUT', 'POST'],
    });
    expect(api.Properties.CorsConfiguration.AllowCredentials ?? false).toBe(false);
  });

  it('deploys the hosted pages, the very build the local runtime serves, and no other page', () => {
    const folder = deployedAsset(0);
    const built = buildWebPages(HOSTED_PAGES);
    const files = (readdirSync(folder, { recursive: true, encoding: 'utf8' }) as string[])
      .filter((name) => statSync(join(folder, name)).isFile())
      .sort();

    expect(files).toEqual(built.map((file) => file.key).sort());
    for (const file of built)
      expect(readFileSync(join(folder, file.key)), file.key).toEqual(Buffer.from(file.body));
    expect(files.filter((name) => /simulator/.test(name))).toEqual([]);
  });

  it('serves each page at its path from its object, and asks the bucket for anything else as it is', () => {
    const [, distribution] = onlyResource('AWS::CloudFront::Distribution');
    const [association] =
      distribution.Properties.DistributionConfig.DefaultCacheBehavior.FunctionAssociations;
    const [functionId, fn] = onlyResource('AWS::CloudFront::Function');
    // The function's own code, run as CloudFront runs it on a viewer request.
    const handler = new Function(`${fn.Properties.FunctionCode}; return handler;`)();
    const objectFor = (uri: string) => handler({ request: { uri } }).uri;

    expect(association.EventType).toBe('viewer-request');
    expect(referencedIds(association.FunctionARN)).toEqual([functionId]);
    expect(objectFor('/supervisor')).toBe('/supervisor.html');
    expect(objectFor('/')).toBe('/index.html');
    expect(objectFor('/assets/workspace.js')).toBe('/assets/workspace.js');
    expect(objectFor('/simulator')).toBe('/simulator');
    for (const page of HOSTED_PAGES)
      expect(existsSync(join(deployedAsset(0), objectFor(page.path)))).toBe(true);
  });

  it("writes the pages' config.json as it deploys, from the stack's APIs, user pool, client, login domain and URL", () => {
    const [, deployment] = onlyResource('Custom::CDKBucketDeployment');
    const [markers] = deployment.Properties.SourceMarkers.slice(1);
    const [poolId] = onlyResource('AWS::Cognito::UserPool');
    const [clientId] = onlyResource('AWS::Cognito::UserPoolClient');
    const [domainId] = onlyResource('AWS::Cognito::UserPoolDomain');
    // What the deployment writes: the file with each marker replaced by what it stands for.
    const text = Object.entries(markers).reduce(
      (content: string, [marker, value]) => content.replaceAll(marker, render(value)),
      readFileSync(join(deployedAsset(1), 'config.json'), 'utf8'),
    );

    expect(JSON.parse(text)).toEqual({
      mode: 'cognito',
      restApiUrl: `<${httpApiId()}.ApiEndpoint>`,
      webSocketUrl: `wss://<${webSocketApiId()}>.execute-api.us-east-1.<AWS::URLSuffix>/live`,
      cognito: {
        region: 'us-east-1',
        userPoolId: `<${poolId}>`,
        clientId: `<${clientId}>`,
        domain: `https://<${domainId}>.auth.us-east-1.amazoncognito.com`,
        redirectUri: `https://<${distributionId()}.DomainName>/`,
      },
    });
    // Every file no-cache (a deployment is seen at the next load); deleted with the stack, as the bucket is.
    expect(deployment.Properties).toMatchObject({
      Prune: true,
      RetainOnDelete: false,
      SystemMetadata: { 'cache-control': 'no-cache' },
    });
  });

  it('lets functions with webhook:verify or webhook:sign, and only them, read the generated CCaaS webhook secret', () => {
    const [secretId, secret] = onlyResource('AWS::SecretsManager::Secret');
    expect(secret.Properties.GenerateSecretString).toBeDefined();
    // The CCaaS holds a copy: it outlives the stack.
    expect(secret.DeletionPolicy).toBe('Retain');

    for (const entry of CATALOG_ENTRIES) {
      const reads = statementsOf(entry).some(
        (statement) =>
          referencedIds(statement.Resource).includes(secretId) &&
          asList(statement.Action).includes('secretsmanager:GetSecretValue'),
      );
      expect(reads, entry.handler).toBe(
        entry.access.includes('webhook:verify') || entry.access.includes('webhook:sign'),
      );
    }
  });

  it('outputs the pages’ URL, the API URLs, the user pool and its client, and the state machine', () => {
    const outputs = Object.keys(template.toJSON().Outputs);

    expect(outputs).toEqual(
      expect.arrayContaining([
        'WebUrl',
        'HttpApiUrl',
        'WebSocketUrl',
        'UserPoolId',
        'UserPoolClientId',
        'StateMachineArn',
        'WebhookOutboxArn',
        'WebhookDeadLettersArn',
      ]),
    );
  });

  it('leaves no cdk-nag AwsSolutions finding unacknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(app);

    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
  });
});

describe('the CCaaS webhook URL of a deployment', () => {
  it('comes from context ccaasWebhookUrl, and is absent without it', () => {
    expect(
      ccaasWebhookUrlFromContext(new App({ context: { ccaasWebhookUrl: CCAAS_WEBHOOK_URL } }).node),
    ).toBe(CCAAS_WEBHOOK_URL);
    expect(ccaasWebhookUrlFromContext(new App().node)).toBeUndefined();
  });

  it.each(['http://ccaas.example.com/webhooks', 'not a url'])('must be an https URL, not %s', (url) => {
    expect(() => ccaasWebhookUrlFromContext(new App({ context: { ccaasWebhookUrl: url } }).node)).toThrow(
      /must be an https URL/,
    );
  });
});

describe('the alarm email of a deployment', () => {
  it('comes from context alarmEmail, and is absent without it', () => {
    expect(alarmEmailFromContext(new App({ context: { alarmEmail: 'ops@example.com' } }).node)).toBe(
      'ops@example.com',
    );
    expect(alarmEmailFromContext(new App().node)).toBeUndefined();
  });

  it('must be an email address', () => {
    expect(() => alarmEmailFromContext(new App({ context: { alarmEmail: 'ops' } }).node)).toThrow(
      /must be an email address/,
    );
  });
});

describe('the sign-in settings of a deployment', () => {
  const defaults = { stackName: 'CallResiliency', account: '123456789012' };

  it('default to a domain of the stack and account, and no callback URL but the hosted pages’', () => {
    expect(signInConfigFromContext(new App().node, defaults)).toEqual({
      domainPrefix: 'callresiliency-123456789012',
      callbackUrls: [],
    });
  });

  it('come from context loginDomainPrefix and workspaceCallbackUrls', () => {
    const context = {
      loginDomainPrefix: 'acme-cc',
      workspaceCallbackUrls: 'https://a.example/, https://b.example/',
    };
    expect(signInConfigFromContext(new App({ context }).node, defaults)).toEqual({
      domainPrefix: 'acme-cc',
      callbackUrls: ['https://a.example/', 'https://b.example/'],
    });
  });

  it.each([
    { loginDomainPrefix: 'my-aws-login' },
    { loginDomainPrefix: 'under_score' },
    { workspaceCallbackUrls: 'http://workspace.example/' },
    { workspaceCallbackUrls: 'not a url' },
  ])('refuse the invalid context %o', (context) => {
    expect(() => signInConfigFromContext(new App({ context }).node, defaults)).toThrow(/must be/);
  });
});

describe('the routing settings of a deployment', () => {
  it('reach every function from CDK context', () => {
    const routing = routingConfigFromContext(
      new App({ context: { offerTimeoutSeconds: '30', webhookMaxAgeSeconds: '3600' } }).node,
    );

    // Bundling is skipped: this synth only looks at environment variables.
    const { template, outdir } = synthesize({ 'aws:cdk:bundling-stacks': [] }, routing);
    rmSync(outdir, { recursive: true, force: true });

    // Ours: all but BucketDeployment's.
    const [deployment] = Object.values(template.findResources('Custom::CDKBucketDeployment'));
    const [deploymentFunction] = referencedIds(deployment?.Properties.ServiceToken);
    const functions = Object.entries(template.findResources('AWS::Lambda::Function'))
      .filter(([id]) => id !== deploymentFunction)
      .map(([, fn]) => fn);
    expect(functions).toHaveLength(CATALOG_ENTRIES.length);
    for (const fn of functions) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        OFFER_TIMEOUT_SECONDS: '30',
        MAX_QUEUE_SECONDS: '300',
        INTERACTION_MODE: 'resiliency',
        MISSED_OFFER_STATUS: 'not_responding',
        WRAP_UP_SECONDS: '60',
        AGENT_OFFLINE_GRACE_SECONDS: '30',
        RETENTION_DAYS: '365',
        WEBHOOK_FIRST_RETRY_SECONDS: '1',
        WEBHOOK_MAX_RETRY_DELAY_SECONDS: '900',
        WEBHOOK_MAX_AGE_SECONDS: '3600',
      });
    }
    // The outbox leaves the schedule its attempts: an hour of them, here.
    const [outbox] = Object.entries(template.findResources('AWS::SQS::Queue')).filter(([id]) =>
      id.startsWith(QUEUES.webhookOutbox.id),
    );
    expect(outbox?.[1].Properties.RedrivePolicy.maxReceiveCount).toBe(webhookOutboxMaxReceiveCount(routing));
    expect(webhookOutboxMaxReceiveCount(routing)).toBeLessThan(
      webhookOutboxMaxReceiveCount(DEFAULT_SETTINGS),
    );
  });

  it('default to a 20 s offer, 300 s in queue, resiliency mode, not_responding after a miss, 60 s wrap-up, 30 s grace, a year of retention, and webhooks retried for a day', () => {
    expect(routingConfigFromContext(new App().node)).toEqual({
      offerTimeoutSeconds: 20,
      maxQueueSeconds: 300,
      interactionMode: 'resiliency',
      missedOfferStatus: 'not_responding',
      wrapUpSeconds: 60,
      agentOfflineGraceSeconds: 30,
      retentionDays: 365,
      webhookFirstRetrySeconds: 1,
      webhookMaxRetryDelaySeconds: 900,
      webhookMaxAgeSeconds: 86_400,
    });
  });

  it.each([
    { offerTimeoutSeconds: '0' },
    { maxQueueSeconds: 'soon' },
    { offerTimeoutSeconds: '1.5' },
    { interactionMode: 'eventually' },
    { missedOfferStatus: 'asleep' },
    { wrapUpSeconds: '-1' },
    { retentionDays: '0' },
    { retentionDays: '30.5' },
    { webhookMaxAgeSeconds: '0' },
    { webhookFirstRetrySeconds: '120', webhookMaxRetryDelaySeconds: '60' },
  ])('refuse the invalid context %o', (context) => {
    expect(() => routingConfigFromContext(new App({ context }).node)).toThrow(/must be/);
  });
});
