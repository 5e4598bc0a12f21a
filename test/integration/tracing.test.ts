import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TELEMETRY_ENVIRONMENT } from '../../functions/manifest/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What the function's tracer does with an SDK client, in a process of its own with this environment. */
async function tracingIn(environment: Record<string, string>) {
  const script = `
    const { tracer, traced } = await import('./functions/handlers/shared/tracer.ts');
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const client = traced(new DynamoDBClient({ region: 'us-east-1' }));
    const { createRequire } = await import('node:module');
    console.log(JSON.stringify({
      enabled: tracer?.isTracingEnabled() ?? false,
      middlewares: client.middlewareStack.identify(),
      xraySdkLoaded: Object.keys(createRequire(import.meta.url).cache).some((m) => m.includes('aws-xray-sdk-core')),
    }));`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: ROOT, env: { PATH: process.env.PATH, ...TELEMETRY_ENVIRONMENT, ...environment } },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
    enabled: boolean;
    middlewares: string[];
    xraySdkLoaded: boolean;
  };
}

describe('the functions’ tracer', () => {
  it('traces every AWS call of an SDK client on Lambda', async () => {
    const onLambda = await tracingIn({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' });

    expect(onLambda.enabled).toBe(true);
    expect(onLambda.middlewares.some((m) => m.startsWith('XRaySDKInstrumentation'))).toBe(true);
    expect(onLambda.xraySdkLoaded).toBe(true);
  });

  it('is not even loaded off Lambda: the local runtime and the tests run untraced clients', async () => {
    const local = await tracingIn({});

    expect(local.enabled).toBe(false);
    expect(local.middlewares.some((m) => m.startsWith('XRaySDKInstrumentation'))).toBe(false);
    // Its X-Ray SDK would install an async hook on every promise as it loads.
    expect(local.xraySdkLoaded).toBe(false);
  });
});
