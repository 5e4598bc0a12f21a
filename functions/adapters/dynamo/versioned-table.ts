import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConcurrentUpdateError, InvalidCursorError, NotFoundError } from '../../core/errors.ts';
import type { Change, Created, Page, PageRequest } from '../../core/ports.ts';
import type { TableDefinition } from '../../manifest/tables.ts';

const MAX_ATTEMPTS = 12;
const VERSION = 'version';

export interface VersionedTableOptions<T, D extends TableDefinition> {
  doc: DynamoDBDocumentClient;
  /** Resolved at first use, so a function that never touches this table needs no config for it. */
  tableName: () => string;
  /** Keys and indexes, from the manifest. */
  definition: D & { partitionKey: keyof T & string };
  /** Index attributes derived from the entity (sparse GSIs): present only when the entity qualifies. */
  indexAttributes?: (entity: T) => Record<string, string | number | undefined>;
  /** Name of the entity in error messages. */
  noun: string;
  /**
   * Shapes what a change writes, once per attempt, after the transition, given the entity as stored
   * (`before`, the version the write is conditioned on): the call store moves a full buffer of the entries
   * committed on `before` out of the call item here (storing them first). Returns the entity to write.
   */
  beforeWrite?: (before: T, after: T) => Promise<T>;
  /** Reads an item written in an older shape as the entity of today (index attributes already stripped). */
  upgrade?: (item: Record<string, unknown>) => T;
}

/**
 * A table of single-item aggregates with optimistic concurrency. Every write is conditional on the
 * version read, so a transition is applied to exactly the state it was computed from; on conflict we
 * re-read and re-apply (the transition is pure, so that is safe). No transactions: dynalite has none,
 * and one item per aggregate needs none.
 */
export class VersionedTable<T extends object, D extends TableDefinition = TableDefinition> {
  /**
   * The version of every entity this table read or wrote, by the object itself: an update given one of
   * them (`known`) writes on condition of that version with no read first. Objects no longer held are
   * forgotten with them.
   */
  private readonly versions = new WeakMap<object, number>();

  constructor(private readonly options: VersionedTableOptions<T, D>) {}

  private toItem(entity: T, version: number): Record<string, unknown> {
    return { ...entity, ...this.options.indexAttributes?.(entity), [VERSION]: version };
  }

  private fromItem(item: Record<string, unknown>): { entity: T; version: number } {
    const { [VERSION]: version, ...rest } = item;
    const entity = this.options.upgrade ? this.options.upgrade(rest) : (rest as T);
    for (const key of Object.keys(this.options.indexAttributes?.(entity) ?? {}))
      delete (entity as Record<string, unknown>)[key];
    this.versions.set(entity, Number(version ?? 0));
    return { entity, version: Number(version ?? 0) };
  }

  private async read(id: string): Promise<{ entity: T; version: number } | undefined> {
    const { Item } = await this.options.doc.send(
      new GetCommand({
        TableName: this.options.tableName(),
        Key: { [this.options.definition.partitionKey]: id },
        ConsistentRead: true,
      }),
    );
    return Item ? this.fromItem(Item) : undefined;
  }

  async get(id: string): Promise<T | undefined> {
    return (await this.read(id))?.entity;
  }

  async create(entity: T): Promise<Created<T>> {
    const id = String(entity[this.options.definition.partitionKey]);
    try {
      await this.options.doc.send(
        new PutCommand({
          TableName: this.options.tableName(),
          Item: this.toItem(entity, 1),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': this.options.definition.partitionKey },
        }),
      );
      this.versions.set(entity, 1);
      return { stored: entity, created: true };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const existing = await this.get(id);
      if (!existing)
        throw new ConcurrentUpdateError(`${this.options.noun} ${id} vanished while being created`);
      return { stored: existing, created: false };
    }
  }

  /**
   * Applies `transition` to the entity and writes the result on condition that nobody wrote in between.
   * Given `known` (an entity this table returned, as read or as written), the first attempt starts from it
   * and reads nothing; if it turns out stale, the write fails its condition and the next attempt reads.
   */
  async update(id: string, transition: (entity: T) => T, known?: T): Promise<Change<T>> {
    const knownVersion = known && this.versions.get(known);
    let current: { entity: T; version: number } | undefined =
      known && knownVersion !== undefined ? { entity: known, version: knownVersion } : undefined;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      current ??= await this.read(id);
      if (!current) throw new NotFoundError(`${this.options.noun} ${id} not found`);
      const change = await this.write(current.entity, current.version, transition);
      if (change) return change;
      // Started from a stale entity: read it now. Lost a race: back off a little (with jitter) first.
      const stale = attempt === 1 && knownVersion !== undefined;
      if (!stale) await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
      current = undefined;
    }
    throw new ConcurrentUpdateError(`${this.options.noun} ${id} is too contended; try again`);
  }

  /**
   * One conditional write of `transition` applied to `known` (an entity this table returned): the change,
   * or undefined when the entity changed since (the write failed its condition; nothing is read). An
   * object this table did not return has no known version: the entity is read first.
   */
  async tryUpdate(id: string, transition: (entity: T) => T, known: T): Promise<Change<T> | undefined> {
    const version = this.versions.get(known);
    const current = version === undefined ? await this.read(id) : { entity: known, version };
    if (!current) throw new NotFoundError(`${this.options.noun} ${id} not found`);
    return this.write(current.entity, current.version, transition);
  }

  /**
   * Sets these attributes (each by its path, `['phoneLog', 'endedAt']`) with one UpdateItem and no read
   * first, and raises the version, so that a writer holding the old one fails its condition and re-reads.
   * For fields the caller owns outright, whatever else the item holds. NotFoundError when there is no item.
   */
  async patch(
    id: string,
    fields: readonly (readonly [path: readonly string[], value: unknown])[],
  ): Promise<void> {
    const names: Record<string, string> = { '#pk': this.options.definition.partitionKey, '#v': VERSION };
    const values: Record<string, unknown> = { ':one': 1 };
    const sets = fields.map(([path, value], i) => {
      values[`:f${i}`] = value;
      const placeholders = path.map((name, j) => {
        names[`#f${i}_${j}`] = name;
        return `#f${i}_${j}`;
      });
      return `${placeholders.join('.')} = :f${i}`;
    });
    try {
      await this.options.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName(),
          Key: { [this.options.definition.partitionKey]: id },
          UpdateExpression: `SET ${sets.join(', ')} ADD #v :one`,
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException)
        throw new NotFoundError(`${this.options.noun} ${id} not found`);
      throw err;
    }
  }

  /** The transition applied to `before` and written on condition of its version; undefined if that failed. */
  private async write(
    before: T,
    version: number,
    transition: (entity: T) => T,
  ): Promise<Change<T> | undefined> {
    const changed = transition(before);
    if (changed === before) return { before, after: before, changed: false };
    const after = (await this.options.beforeWrite?.(before, changed)) ?? changed;
    try {
      await this.options.doc.send(
        new PutCommand({
          TableName: this.options.tableName(),
          Item: this.toItem(after, version + 1),
          ConditionExpression: '#v = :v',
          ExpressionAttributeNames: { '#v': VERSION },
          ExpressionAttributeValues: { ':v': version },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
    this.versions.set(after, version + 1);
    return { before, after, changed: true };
  }

  /**
   * The items whose index partition key is `value`, in the index's sort order (newest first when not
   * `forward`), following pagination up to `limit`.
   */
  async query(
    indexName: keyof D['indexes'] & string,
    value: string,
    { forward = true, limit }: { forward?: boolean; limit?: number } = {},
  ): Promise<T[]> {
    const out: T[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.queryOnce(indexName, value, forward, limit, startKey);
      out.push(...(page.Items ?? []).map((i) => this.fromItem(i).entity));
      startKey = page.LastEvaluatedKey;
    } while (startKey && (!limit || out.length < limit));
    return limit ? out.slice(0, limit) : out;
  }

  /**
   * One page of the items whose index partition key is `value`, in the index's sort order (newest first
   * when not `forward`).
   */
  async queryPage(
    indexName: keyof D['indexes'] & string,
    value: string,
    { limit, cursor }: PageRequest,
    { forward = true }: { forward?: boolean } = {},
  ): Promise<Page<T>> {
    const index = this.indexOf(indexName);
    const keys = [this.options.definition.partitionKey, index.partitionKey, index.sortKey];
    const from = keyOfCursor(cursor, keys, { [index.partitionKey]: value });
    return this.pageOf(await this.queryOnce(indexName, value, forward, limit, from));
  }

  private indexOf(indexName: string) {
    const index = this.options.definition.indexes[indexName];
    if (!index) throw new Error(`table ${this.options.definition.id} has no index ${indexName}`);
    return index;
  }

  /** One Query request on an index. */
  private queryOnce(
    indexName: string,
    value: string,
    forward: boolean,
    limit: number | undefined,
    exclusiveStartKey: Record<string, unknown> | undefined,
  ) {
    return this.options.doc.send(
      new QueryCommand({
        TableName: this.options.tableName(),
        IndexName: indexName,
        KeyConditionExpression: '#k = :v',
        ExpressionAttributeNames: { '#k': this.indexOf(indexName).partitionKey },
        ExpressionAttributeValues: { ':v': value },
        ScanIndexForward: forward,
        ExclusiveStartKey: exclusiveStartKey,
        ...(limit ? { Limit: limit } : {}),
      }),
    );
  }

  /** One page of all the items, in no particular order. */
  async scanPage({ limit, cursor }: PageRequest): Promise<Page<T>> {
    const page = await this.options.doc.send(
      new ScanCommand({
        TableName: this.options.tableName(),
        Limit: limit,
        ExclusiveStartKey: keyOfCursor(cursor, [this.options.definition.partitionKey]),
      }),
    );
    return this.pageOf(page);
  }

  private pageOf(page: { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }) {
    const items = (page.Items ?? []).map((i) => this.fromItem(i).entity);
    const last = page.LastEvaluatedKey;
    return last ? { items, cursor: cursorOf(last) } : { items };
  }

  /** Every item (that passes `filter`, a FilterExpression: DynamoDB still reads, and bills, them all). */
  async scan(filter?: {
    expression: string;
    names: Record<string, string>;
    values: Record<string, unknown>;
  }): Promise<T[]> {
    const out: T[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    const filtered = filter && {
      FilterExpression: filter.expression,
      ExpressionAttributeNames: filter.names,
      ExpressionAttributeValues: filter.values,
    };
    do {
      const page = await this.options.doc.send(
        new ScanCommand({ TableName: this.options.tableName(), ExclusiveStartKey, ...filtered }),
      );
      out.push(...(page.Items ?? []).map((i) => this.fromItem(i).entity));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return out;
  }
}

/** The cursor of a page that ends at this key (opaque to clients; `keyOfCursor` reads it back). */
export function cursorOf(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The key a page's cursor stands for, checked before it reaches DynamoDB: exactly the key attributes of the
 * table (and index), as strings, and the same partition as the list asked for. Anything else was not
 * given out by this list.
 */
export function keyOfCursor(
  cursor: string | undefined,
  attributes: readonly string[],
  fixed: Record<string, string> = {},
): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('cursor is not one this list gave out');
  }
  const expected = [...new Set(attributes)].sort();
  const valid =
    typeof key === 'object' &&
    key !== null &&
    !Array.isArray(key) &&
    JSON.stringify(Object.keys(key).sort()) === JSON.stringify(expected) &&
    Object.values(key).every((v) => typeof v === 'string' && v.length > 0 && v.length <= 1024) &&
    Object.entries(fixed).every(([name, value]) => (key as Record<string, string>)[name] === value);
  if (!valid) throw new InvalidCursorError('cursor is not one this list gave out');
  return key as Record<string, string>;
}
