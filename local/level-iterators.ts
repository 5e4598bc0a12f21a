import { AbstractValueIterator } from 'abstract-level';

const PATCHED = Symbol.for('call-resiliency.closeIteratorsWhenDone');

/**
 * dynalite 4 reads its key and value streams by calling `next()` and never closes the iterator: a stream
 * read to its end just stops, and one stopped early (a Limit, the 1 MB page) calls `iterator.return()`,
 * which abstract-level iterators do not have. abstract-level keeps an iterator (and LevelDB the snapshot
 * under it) until it is closed, so every Query and Scan leaked a few KB of heap and more of native memory,
 * for the life of the process. Here an iterator closes at its end, as abstract-level's own `all()` does,
 * and `return()` closes it. Patched once, on the class every abstract-level iterator comes from; closing
 * twice is harmless. dynalite runs in a worker thread of its own (local/dynamo-worker.ts), which calls this
 * first.
 */
export function closeIteratorsWhenDone(): void {
  const common = Object.getPrototypeOf(AbstractValueIterator.prototype) as {
    next: (this: { close(): Promise<void> }) => Promise<unknown>;
    return?: (this: { close(): Promise<void> }) => Promise<void>;
    [PATCHED]?: true;
  };
  if (common[PATCHED]) return;
  const next = common.next;
  common.next = async function nextThenCloseAtEnd() {
    const item = await next.call(this);
    if (item === undefined) await this.close();
    return item;
  };
  common.return = function closeEarly() {
    return this.close();
  };
  common[PATCHED] = true;
}
