import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import '../../local/dynamo.ts';

/**
 * dynalite never closes the LevelDB iterators it reads: it reads them to their end, or stops early (a Limit)
 * by calling `return()`. The local runtime closes them then (local/dynamo.ts), or every Query and Scan would
 * keep its iterator, and its snapshot, for good.
 */
describe('the local DynamoDB’s storage', () => {
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
