import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWebhookReceipts } from '../../functions/adapters/dynamo/webhook-receipts.ts';
import { startDynamo } from '../support/dynamo.ts';

describe('webhook receipts against dynalite', () => {
  let db: Awaited<ReturnType<typeof startDynamo>>;
  let clock = new Date('2026-01-01T10:00:00Z');
  const later = (seconds: number) => new Date(clock.getTime() + seconds * 1000);
  const receipts = () =>
    makeWebhookReceipts({
      doc: db.doc,
      tableName: () => 'WebhookReceipts',
      now: () => clock,
      leaseSeconds: 30,
    });
  const answer = {
    statusCode: 202,
    headers: { 'content-type': 'application/json' },
    body: '{"callId":"c1"}',
  };

  beforeAll(async () => {
    db = await startDynamo();
  });
  afterAll(() => db.close());

  it('claims an id once, then answers with what was stored for it', async () => {
    const store = receipts();
    expect(await store.claim('msg-1', 'fp', later(300))).toEqual({ outcome: 'claimed' });
    expect(await store.claim('msg-1', 'fp', later(300))).toEqual({ outcome: 'in_progress' });

    await store.complete('msg-1', answer);

    expect(await store.claim('msg-1', 'fp', later(300))).toEqual({ outcome: 'answered', response: answer });
  });

  it('refuses the same id for another request', async () => {
    const store = receipts();
    await store.claim('msg-2', 'fp-a', later(300));

    expect(await store.claim('msg-2', 'fp-b', later(300))).toEqual({ outcome: 'conflict' });
  });

  it('lets a retry claim an id whose first request released it', async () => {
    const store = receipts();
    await store.claim('msg-3', 'fp', later(300));
    await store.release('msg-3');

    expect(await store.claim('msg-3', 'fp', later(300))).toEqual({ outcome: 'claimed' });
  });

  it('treats an expired receipt as absent, since dynalite has no TTL and AWS deletes late', async () => {
    const store = receipts();
    await store.claim('msg-4', 'fp', later(300));
    await store.complete('msg-4', answer);

    clock = later(301);

    expect(await store.claim('msg-4', 'other', later(300))).toEqual({ outcome: 'claimed' });
  });

  it('lets another request take over a pending claim whose lease ran out (its holder crashed)', async () => {
    const store = receipts();
    await store.claim('msg-5', 'fp', later(300));
    clock = later(29);
    expect(await store.claim('msg-5', 'fp', later(300))).toEqual({ outcome: 'in_progress' });

    clock = later(2);

    expect(await store.claim('msg-5', 'fp', later(300))).toEqual({ outcome: 'claimed' });
  });
});
