import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStaffDirectory } from '../../functions/adapters/staff-directory.ts';
import { createAwsEndpoint } from '../../local/aws-endpoint.ts';
import { createLocalUserPool, userPoolService } from '../../local/user-pool.ts';

describe('the staff directory over the local user pool', () => {
  const pool = createLocalUserPool();
  const endpoint = createAwsEndpoint({
    services: {
      AWSCognitoIdentityProviderService: userPoolService(pool),
    },
    authorize: () => undefined,
    connections: () => ({ status: 410 }),
    jwks: () => ({ keys: [] }),
    onError: () => undefined,
  });
  let client: CognitoIdentityProviderClient;

  beforeAll(async () => {
    client = new CognitoIdentityProviderClient({
      endpoint: await endpoint.listen(),
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
  afterAll(() => endpoint.close());

  it('lists every enabled agent, across pages of 60, and nobody else', async () => {
    for (let i = 0; i < 130; i++) pool.signIn(`agent-${i}`, ['agents']);
    pool.signIn('sup', ['supervisors']);
    pool.update('agent-7', { enabled: false });
    pool.update('agent-99', { groups: ['supervisors'] });

    const agents = await makeStaffDirectory(client, () => pool.id).agents();

    expect(agents.size).toBe(128);
    expect([...agents].filter((id) => ['agent-7', 'agent-99', 'sup'].includes(id))).toEqual([]);
    expect(agents.has('agent-129')).toBe(true);
  });

  it('fails, rather than answering nobody, for a pool that does not exist', async () => {
    await expect(makeStaffDirectory(client, () => 'us-east-1_nope').agents()).rejects.toThrow(
      /does not exist/,
    );
  });
});
