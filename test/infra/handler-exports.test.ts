import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TABLES } from '../../functions/adapters/dynamo/tables.ts';
import { ENV } from '../../functions/handlers/catalog.ts';
import { CATALOG_ENTRIES } from '../../lib/handler-function.ts';

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
      'CCAAS_WEBHOOK_SECRET_ARN',
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

  it.each(CATALOG_ENTRIES.map((entry) => entry.handler))('functions/handlers/%s.ts exists', (handler) => {
    expect(existsSync(`${ROOT}functions/handlers/${handler}.ts`)).toBe(true);
  });

  it.each(CATALOG_ENTRIES.map((entry) => entry.handler))(
    'functions/handlers/%s.ts exports a handler function',
    async (handler) => {
      const module: Record<string, unknown> = await import(`${ROOT}functions/handlers/${handler}.ts`);

      expect(typeof module.handler).toBe('function');
    },
  );
});
