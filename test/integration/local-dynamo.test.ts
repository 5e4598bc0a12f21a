import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { MemoryLevel } from 'memory-level';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closeIteratorsWhenDone } from '../../local/level-iterators.ts';
import { startDynamo } from '../support/dynamo.ts';

/**
 * dynalite runs in a worker thread of its own: what it keeps on disk outlives the thread, which closes its
 * store as it ends (a thread that crashed: local-sdk-in-process.test.ts).
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
});

/**
 * dynalite never closes the LevelDB iterators it reads: it reads them to their end, or stops early (a Limit)
 * by calling `return()`. The local runtime closes them then (local/level-iterators.ts), or every Query and Scan would
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
