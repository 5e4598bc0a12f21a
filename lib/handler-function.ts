import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DEFAULT_TIMEOUT_SECONDS, type FunctionEntry, handlerFile } from '../functions/manifest/index.ts';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

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
}

/**
 * One Lambda function of the catalog, configured the same way for every entry: Node.js 22 on arm64, an ESM
 * bundle with source maps, active tracing, and its own log group and role. The role starts with nothing but
 * writing to that log group (and X-Ray); everything else comes from the entry's `access` list.
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

    this.function = new NodejsFunction(this, 'Function', {
      entry: `${PROJECT_ROOT}${handlerFile(props.entry)}`,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
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
        // Ship the SDK version the tests ran against rather than whichever one the runtime carries.
        bundleAwsSDK: true,
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
