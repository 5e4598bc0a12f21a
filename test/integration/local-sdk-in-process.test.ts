import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FunctionEntry, TABLES } from '../../functions/manifest/index.ts';
import { createAwsEndpoint } from '../../local/aws-endpoint.ts';
import { createLocalDynamo, DYNAMODB_TARGET } from '../../local/dynamo.ts';
import { createGrants, type GrantsOptions } from '../../local/grants.ts';
import { startLambdaService } from '../../local/lambda.ts';
import { eventually } from '../support/poll.ts';

/** The probe's handler file is outside functions/handlers; the catalog path is relative to that folder. */
const PROBE = {
  handler: '../../test/fixtures/sdk-probe',
  trigger: { type: 'authorizer' },
  access: ['calls:read', 'calls:write'],
} as const satisfies FunctionEntry;
/** Nothing listens here: a request that went over the loopback would not connect. */
const UNREACHABLE = 'http://127.0.0.1:9';

/**
 * The probe in a local Lambda service whose SDK calls to the local AWS endpoint (DynamoDB, IAM from the
 * probe's catalog access) are handed over in process, its URL being one where nothing listens; the
 * endpoint's loopback port, for the tests' own clients; what the runtime reported.
 */
async function startProbe(dataDir?: string) {
  const errors: string[] = [];
  const refusals: string[] = [];
  const grantsOptions: GrantsOptions = {
    functions: [PROBE],
    tables: { Calls: 'calls', Agents: 'agents' },
    queues: {},
    stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:RouteCall',
    eventBusName: 'bus',
    userPoolId: 'us-east-1_local',
    account: '000000000000',
    onRefused: (message) => refusals.push(message),
  };
  const grants = createGrants(grantsOptions);
  const dynamo = createLocalDynamo({
    tableNames: Object.fromEntries(Object.values(TABLES).map((t) => [t.id, t.id])),
    grants: grantsOptions,
    onError: (message) => errors.push(message),
    ...(dataDir ? { dataDir } : {}),
  });
  const aws = createAwsEndpoint({
    services: { DynamoDB_20120810: dynamo.service },
    authorize: grants.authorize,
    connections: () => ({ status: 410 }),
    jwks: () => ({ keys: [] }),
    onError: (message) => errors.push(message),
  });
  const overHttp = await aws.listen();
  /** DynamoDB requests of the probe that the main thread's dispatch answered. */
  let throughMain = 0;
  const lambda = startLambdaService({
    functions: [PROBE],
    environment: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_DYNAMODB: UNREACHABLE },
    ownEnvironment: (entry) => grants.credentialsOf(entry),
    aws: {
      endpoint: UNREACHABLE,
      dispatch: (request) => {
        if (request.headers['x-amz-target']?.startsWith(DYNAMODB_TARGET)) throughMain++;
        return aws.dispatch(request);
      },
      direct: { [DYNAMODB_TARGET]: () => dynamo.connect() },
    },
    onError: (message) => errors.push(message),
  });
  return {
    dynamo,
    overHttp,
    errors,
    refusals,
    throughMain: () => throughMain,
    probe: (event: Record<string, unknown>) => lambda.invoke(PROBE, event),
    async close() {
      await lambda.close();
      await aws.close();
      await dynamo.close();
    },
  };
}

/**
 * The functions' SDK calls to the local AWS endpoint are handed to its dispatch in process, signed and
 * serialized by the real SDK client, and answered as over HTTP: the same IAM check, the same errors.
 */
describe('a function’s SDK calls to the local AWS endpoint, in process', () => {
  let local: Awaited<ReturnType<typeof startProbe>>;
  const probe = (event: Record<string, unknown>) => local.probe(event);

  beforeAll(async () => {
    local = await startProbe();
    await local.dynamo.createTables(local.overHttp);
  });
  afterAll(() => local.close());

  it('answers a signed request though nothing listens at the endpoint’s URL, with DynamoDB’s request id', async () => {
    const put = await probe({ do: 'put', table: 'Calls', id: 'in-process-1', text: 'hello' });
    const read = await probe({ do: 'get', table: 'Calls', id: 'in-process-1' });

    expect(put).toMatchObject({ requestId: expect.stringMatching(/^[A-Z0-9]{52}$/) });
    expect(read).toEqual({ text: 'hello' });
    expect(local.errors).toEqual([]);
    // Straight to DynamoDB's thread, which checked them itself (the refusal below comes from there).
    expect(local.throughMain()).toBe(0);
  });

  it('round-trips an item just under DynamoDB’s 400 KB, byte for byte, and refuses one over it', async () => {
    const text = `${'ü'.repeat(100_000)}${'x'.repeat(190_000)}`;

    await probe({ do: 'put', table: 'Calls', id: 'in-process-big', text });
    const read = (await probe({ do: 'get', table: 'Calls', id: 'in-process-big' })) as { text: string };
    const tooBig = await probe({ do: 'put', table: 'Calls', id: 'in-process-huge', text: `${text}${text}` });

    expect(Buffer.byteLength(read.text)).toBe(390_000);
    expect(read.text === text).toBe(true);
    expect(tooBig).toEqual({ error: 'ValidationException', status: 400, conditionFailed: false });
  });

  it('refuses, as IAM does, what the function’s access does not grant, and reports it', async () => {
    const refused = await probe({ do: 'put', table: 'Agents', id: 'in-process-2', text: 'no' });

    expect(refused).toEqual({ error: 'AccessDeniedException', status: 400, conditionFailed: false });
    // Reported by DynamoDB's thread to the main thread, on a port of its own: not ordered with the answer.
    await eventually(() => local.refusals.length > 0, { what: 'the refusal reported' });
    expect(local.refusals).toEqual([
      expect.stringContaining('is not authorized to perform: dynamodb:PutItem on resource: table:agents'),
    ]);
    const operator = new DynamoDBClient({
      endpoint: local.overHttp,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const written = await operator.send(
      new GetItemCommand({ TableName: 'Agents', Key: { agentId: { S: 'in-process-2' } } }),
    );
    operator.destroy();
    expect(written.Item).toBeUndefined();
  });

  it('turns an error of the endpoint into the SDK’s typed exception', async () => {
    const event = { do: 'put', table: 'Calls', id: 'in-process-3', text: 'first', onlyIfNew: true };

    expect(await probe(event)).toMatchObject({ requestId: expect.any(String) });
    expect(await probe({ ...event, text: 'second' })).toEqual({
      error: 'ConditionalCheckFailedException',
      status: 400,
      conditionFailed: true,
    });
    expect(await probe({ do: 'get', table: 'Calls', id: 'in-process-3' })).toEqual({ text: 'first' });
  });

  it('sends a call to any other endpoint over HTTP, as before', async () => {
    await probe({ do: 'put', table: 'Calls', id: 'in-process-4', text: 'over http' });

    expect(await probe({ do: 'get', table: 'Calls', id: 'in-process-4', endpoint: local.overHttp })).toEqual({
      text: 'over http',
    });
  });
});

describe('a function whose local DynamoDB crashed', () => {
  it('gets DynamoDB’s InternalServerError, after the SDK’s retries, instead of waiting, and the crash is reported', async () => {
    // A data folder that is a file: LevelDB cannot open it, and dynalite throws in its thread.
    const folder = await mkdtemp(join(tmpdir(), 'call-resiliency-sdk-'));
    await writeFile(join(folder, 'file'), 'x');
    const local = await startProbe(join(folder, 'file'));
    try {
      const answered = await local.probe({ do: 'get', table: 'Calls', id: 'nobody' });
      const again = await local.probe({ do: 'get', table: 'Calls', id: 'nobody' });

      expect(answered).toEqual({ error: 'InternalServerError', status: 500, conditionFailed: false });
      expect(again).toEqual(answered);
      expect(local.errors).toEqual(['the local DynamoDB crashed']);
      // Its port closed with the thread: the requests went through the main thread's endpoint instead.
      expect(local.throughMain()).toBeGreaterThan(0);
    } finally {
      await local.close();
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('gets the same when the thread died before the function’s environment started', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'call-resiliency-sdk-'));
    await writeFile(join(folder, 'file'), 'x');
    const local = await startProbe(join(folder, 'file'));
    try {
      await expect(local.dynamo.createTables(local.overHttp)).rejects.toMatchObject({
        name: 'InternalServerError',
      });
      expect(local.errors).toEqual(['the local DynamoDB crashed']);

      expect(await local.probe({ do: 'get', table: 'Calls', id: 'nobody' })).toEqual({
        error: 'InternalServerError',
        status: 500,
        conditionFailed: false,
      });
    } finally {
      await local.close();
      await rm(folder, { recursive: true, force: true });
    }
  });
});
