import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { MemoryLevel } from 'memory-level';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsEndpoint } from '../../local/aws-endpoint.ts';
import { createLocalDynamo } from '../../local/dynamo.ts';
import { closeIteratorsWhenDone } from '../../local/level-iterators.ts';
import { startDynamo } from '../support/dynamo.ts';

/**
 * dynalite runs in a worker thread of its own: what it keeps on disk outlives it, and when the thread
 * dies the requests still get DynamoDB's answer, nobody waits for one that will never come.
 */
describe('the local DynamoDB in its worker thread', () => {
  let folder = '';
  const dir = () => folder;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'call-resiliency-dynamo-'));
  });
  afterEach(() => rm(folder, { recursive: true, force: true }));

  it('keeps its data on disk: a local DynamoDB started again on the same folder reads what the first wrote', async () => {
    const first = await startDynamo({ dataDir: dir() });
    await first.doc.send(new PutCommand({ TableName: 'Calls', Item: { callId: 'kept', status: 'queued' } }));
    await first.close();

    const second = await startDynamo({ dataDir: dir() });
    const read = await second.doc.send(new GetCommand({ TableName: 'Calls', Key: { callId: 'kept' } }));
    await second.close();

    expect(read.Item).toEqual({ callId: 'kept', status: 'queued' });
  });

  it('reports a thread that crashed, and answers its requests and every later one with InternalServerError', async () => {
    // A data folder that is a file: LevelDB cannot open it, and dynalite throws in its thread.
    const file = join(dir(), 'not-a-folder');
    await writeFile(file, 'x');
    const errors: string[] = [];
    const dynamo = createLocalDynamo({
      dataDir: file,
      faults: { interactionStore: 'up', interactionStoreLatencyMs: 0 },
      tableNames: {},
      onError: (message) => errors.push(message),
    });
    const aws = createAwsEndpoint({
      services: { DynamoDB_20120810: dynamo.service },
      authorize: () => undefined,
      connections: () => ({ status: 410 }),
      jwks: () => ({ keys: [] }),
      onError: (message) => errors.push(message),
    });
    const client = new DynamoDBClient({
      endpoint: await aws.listen(),
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const internalError = { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } };

    try {
      await expect(client.send(new ListTablesCommand({}))).rejects.toMatchObject(internalError);
      await expect(client.send(new ListTablesCommand({}))).rejects.toMatchObject(internalError);
      expect(errors).toEqual(['the local DynamoDB crashed']);
    } finally {
      client.destroy();
      await aws.close();
      await dynamo.close();
    }
  });
});

/**
 * dynalite never closes the LevelDB iterators it reads: it reads them to their end, or stops early (a Limit)
 * by calling `return()`. The local runtime closes them then (local/dynamo.ts), or every Query and Scan would
 * keep its iterator, and its snapshot, for good.
 */
describe('the local DynamoDB’s storage', () => {
  beforeAll(() => closeIteratorsWhenDone());

  it.each(['values', 'keys', 'iterator'] as const)(
    'closes a %s iterator read to its end, as dynalite reads them',
    async (kind) => {
      const db = new MemoryLevel();
      await db.batch([
        { type: 'put', key: 'a', value: '1' },
        { type: 'put', key: 'b', value: '2' },
      ]);
      const iterator = db[kind]();

      while ((await iterator.next()) !== undefined) {}

      await expect(iterator.next()).rejects.toMatchObject({ code: 'LEVEL_ITERATOR_NOT_OPEN' });
      await db.close();
    },
  );

  it.each(['values', 'keys'] as const)(
    'closes a %s iterator stopped early with return(), as dynalite stops a Query at its Limit',
    async (kind) => {
      const db = new MemoryLevel();
      await db.put('a', '1');
      await db.put('b', '2');
      const iterator = db[kind]() as unknown as { next(): Promise<unknown>; return?: () => Promise<void> };
      await iterator.next();

      expect(iterator.return).toBeTypeOf('function');
      await iterator.return?.();

      await expect(iterator.next()).rejects.toMatchObject({ code: 'LEVEL_ITERATOR_NOT_OPEN' });
      await db.close();
    },
  );

  it('leaves an iterator open while it still has items to give', async () => {
    const db = new MemoryLevel();
    await db.put('a', '1');
    await db.put('b', '2');
    const iterator = db.values();

    expect(await iterator.next()).toBe('1');
    expect(await iterator.next()).toBe('2');
    await iterator.close();
    await db.close();
  });
});
