import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidCursorError } from '../../core/errors.ts';
import type { Call, CallEntry, CallEntryList, CallEntryOf } from '../../core/model.ts';
import type { Page, PageRequest } from '../../core/ports.ts';
import { TABLES } from '../../manifest/tables.ts';
import { cursorOf, keyOfCursor } from './versioned-table.ts';

const { partitionKey: CALL_ID, sortKey: ENTRY } = TABLES.callEntries;

/** `<list>#<number>`, the number zero-padded so that the keys sort as the numbers do. */
const entryKey = (list: CallEntryList, n: number) => `${list}#${String(n).padStart(10, '0')}`;

/**
 * The entries of the calls' conversations and timelines, one item each under its call (the call store's
 * second table). An entry's key comes from its number, which the change that added it gave it, so storing
 * it again (a retry, or the next change storing what a stopped writer left) changes nothing.
 */
export function makeCallEntries(
  doc: DynamoDBDocumentClient,
  tableName: () => string,
  /** The TTL attribute's value for the entries of this call. */
  expiresAt: (call: Call) => number,
) {
  /**
   * Stores entries of a call, one conditional put each, in order: when an entry is stored, so is every
   * entry before it, which is what `list` relies on.
   */
  async function put(call: Call, entries: readonly CallEntry[]): Promise<void> {
    for (const { n, list, entry } of entries) {
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName(),
            Item: {
              ...entry,
              [CALL_ID]: call.callId,
              [ENTRY]: entryKey(list, n),
              expiresAt: expiresAt(call),
            },
            ConditionExpression: 'attribute_not_exists(#entry)',
            ExpressionAttributeNames: { '#entry': ENTRY },
          }),
        );
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
    }
  }

  return {
    put,

    /**
     * One page of a list of the call as read (no entry a later change added), oldest first. Its last page
     * ends with the entries the call item still carries (`newEntries`): they are the call's newest, and
     * any stored entry after the page's last one would mean they had been stored.
     */
    async list<L extends CallEntryList>(
      call: Call,
      list: L,
      { limit, cursor }: PageRequest,
    ): Promise<Page<CallEntryOf[L]>> {
      const prefix = `${list}#`;
      const from = keyOfCursor(cursor, [CALL_ID, ENTRY], { [CALL_ID]: call.callId });
      if (from && !from[ENTRY]?.startsWith(prefix)) {
        throw new InvalidCursorError('cursor is not one this list gave out');
      }
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName(),
          // Up to the call's own last entry: a change made since the call was read is not seen half.
          KeyConditionExpression: '#call = :call AND #entry BETWEEN :list AND :last',
          ExpressionAttributeNames: { '#call': CALL_ID, '#entry': ENTRY },
          ExpressionAttributeValues: {
            ':call': call.callId,
            ':list': prefix,
            ':last': entryKey(list, call.entryCount),
          },
          ConsistentRead: true,
          ExclusiveStartKey: from,
          Limit: limit,
        }),
      );
      const stored = (page.Items ?? []).map((item) => ({ key: String(item[ENTRY]), entry: entryOf(item) }));
      if (page.LastEvaluatedKey) {
        return {
          items: stored.map((s) => s.entry as CallEntryOf[L]),
          cursor: cursorOf(page.LastEvaluatedKey),
        };
      }
      const after = stored.at(-1)?.key ?? from?.[ENTRY] ?? '';
      const unstored = call.newEntries
        .filter((e) => e.list === list)
        .map((e) => ({ key: entryKey(e.list, e.n), entry: e.entry }))
        .filter((e) => e.key > after);
      const all = [...stored, ...unstored];
      const items = all.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map((i) => i.entry as CallEntryOf[L]),
        ...(all.length > limit && last
          ? { cursor: cursorOf({ [CALL_ID]: call.callId, [ENTRY]: last.key }) }
          : {}),
      };
    },
  };
}

/** The entry an item holds, without its keys and TTL. */
function entryOf(item: Record<string, unknown>): unknown {
  const { [CALL_ID]: _call, [ENTRY]: _entry, expiresAt: _ttl, ...entry } = item;
  return entry;
}
