import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ENV, FUNCTIONS, handlerFile, TABLES } from '../../functions/manifest/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the handler files of the catalog', () => {
  beforeAll(() => {
    // Whatever a handler module may read while it loads; values only need to look plausible.
    vi.stubEnv('AWS_REGION', 'us-east-1');
    for (const table of Object.values(TABLES)) vi.stubEnv(table.envVar, `test-${table.id}`);
    vi.stubEnv(ENV.stateMachineArn, 'arn:aws:states:us-east-1:000000000000:stateMachine:RouteCall');
    vi.stubEnv(ENV.eventBusName, 'call-resiliency');
    vi.stubEnv(ENV.wsManagementEndpoint, 'https://example.execute-api.us-east-1.amazonaws.com/live');
    vi.stubEnv(ENV.webhookSecret, 'dGVzdC1zZWNyZXQtdGVzdC1zZWNyZXQ=');
    vi.stubEnv(
      ENV.webhookSecretArn,
      'arn:aws:secretsmanager:us-east-1:000000000000:secret:CcaasWebhookSecret',
    );
    vi.stubEnv(
      ENV.jwksUrl,
      'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test/.well-known/jwks.json',
    );
    vi.stubEnv(ENV.jwtIssuer, 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test');
    vi.stubEnv(ENV.jwtAudience, 'test-client');
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });

  it.each(FUNCTIONS.map(handlerFile))('%s exists', (file) => {
    expect(existsSync(`${ROOT}${file}`)).toBe(true);
  });

  it.each(FUNCTIONS.map(handlerFile))('%s exports a handler function', async (file) => {
    const module: Record<string, unknown> = await import(`${ROOT}${file}`);

    expect(typeof module.handler).toBe('function');
  });
});
