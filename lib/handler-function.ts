import { fileURLToPath } from 'node:url';
import {
  AssetHashType,
  type AssetOptions,
  BundlingOutput,
  DockerImage,
  Duration,
  RemovalPolicy,
  Validations,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  bundleOptionsOf,
  DEFAULT_TIMEOUT_SECONDS,
  FUNCTION_MEMORY_MB,
  type FunctionEntry,
  handlerFile,
} from '../functions/manifest/index.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Options of an asset built on this machine as the CDK app synthesizes (no Docker): `write` fills its
 * folder, which is hashed as it comes out.
 */
export const builtHere = (write: (outputDir: string) => void): AssetOptions => ({
  assetHashType: AssetHashType.OUTPUT,
  bundling: {
    // Never pulled: `write` always runs on this machine.
    image: DockerImage.fromRegistry('dummy'),
    outputType: BundlingOutput.NOT_ARCHIVED,
    local: {
      tryBundle(outputDir) {
        write(outputDir);
        return true;
      },
    },
  },
});
/** What every function runs on, and what the layers they load must be built for. */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_22_X;
export const FUNCTION_ARCHITECTURE = lambda.Architecture.ARM_64;

/** `http/create-call` → `HttpCreateCall`: a stable construct id, so logical ids follow the catalog. */
export function constructIdOf(entry: Pick<FunctionEntry, 'handler'>): string {
  return entry.handler
    .split(/[/-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

export interface HandlerFunctionProps {
  entry: FunctionEntry;
  environment: Record<string, string>;
  /** Where the function loads the AWS SDK from, which its bundle leaves out (lib/sdk-layer.ts). */
  sdkLayer: lambda.ILayerVersion;
}

/**
 * One Lambda function of the catalog, configured the same way for every entry: Node.js 22 on arm64, an ESM
 * bundle with source maps, the SDK from the layer, active tracing, and its own log group and role. The role
 * starts with nothing but writing to that log group (and X-Ray); everything else comes from the entry's
 * `access` list.
 */
export class HandlerFunction extends Construct {
  readonly entry: FunctionEntry;
  readonly function: NodejsFunction;
  /** Where the function's log lines go (JSON, one per line). */
  readonly logGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    this.entry = props.entry;

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.logGroup = logGroup;
    // An own role instead of the default one with AWSLambdaBasicExecutionRole, which may write to any log group.
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);

    // Only what the function's access needs, as the local runtime bundles it (functions/manifest/bundling.ts).
    const { define, alias, external } = bundleOptionsOf(props.entry.access);
    this.function = new NodejsFunction(this, 'Function', {
      entry: `${PROJECT_ROOT}${handlerFile(props.entry)}`,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      runtime: FUNCTION_RUNTIME,
      architecture: FUNCTION_ARCHITECTURE,
      layers: [props.sdkLayer],
      memorySize: FUNCTION_MEMORY_MB,
      timeout: Duration.seconds(props.entry.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      role,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        // Bundled CommonJS dependencies call require(), which ESM does not define.
        banner:
          "import { createRequire as topLevelCreateRequire } from 'node:module'; const require = topLevelCreateRequire(import.meta.url);",
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        define,
        // The SDK, which the layer ships at the version the tests ran against: these replace the default
        // externals, which would leave the SDK to whichever version the runtime carries.
        externalModules: external,
        esbuildArgs: {
          '--alias': Object.entries(alias).map(([name, file]) => `${name}=${PROJECT_ROOT}${file}`),
        },
        logLevel: LogLevel.WARNING,
      },
    });

    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.',
      },
      {
        id: 'AwsSolutions-L1',
        reason: 'Node.js 22 is the runtime the product targets; its code and tests are checked against it.',
      },
    );
  }
}
