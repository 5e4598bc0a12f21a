import { describe, expect, it } from 'vitest';
import { getJson } from '../support/ccaas.ts';
import { useLocalStack } from '../support/stack.ts';

/** Every page of a list route, following `nextCursor` until it is absent. */
async function allPages(url: string, key: string, limit: number): Promise<Record<string, unknown>[][]> {
  const pages: Record<string, unknown>[][] = [];
  let cursor: string | undefined;
  do {
    const next = `${url}${url.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    const { status, body } = await getJson(next);
    expect(status, next).toBe(200);
    pages.push(body[key]);
    cursor = body.nextCursor;
  } while (cursor);
  return pages;
}

describe('the list routes, a page at a time', () => {
  const ctx = useLocalStack();

  it('hands out every agent exactly once across pages of at most `limit`', async () => {
    const ids = Array.from({ length: 7 }, (_, i) => `page-agent-${i}`);
    for (const id of ids) await ctx.agent(id);

    const pages = await allPages(`${ctx.stack.url}/v1/agents`, 'agents', 3);

    for (const page of pages) expect(page.length).toBeLessThanOrEqual(3);
    const seen = pages.flat().map((a) => a.agentId as string);
    expect(seen.filter((id) => ids.includes(id)).sort()).toEqual(ids);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('pages the interactions of a phone number, newest first, and the work items', async () => {
    const phone = '+15550007777';
    const agent = await (await ctx.agent('page-answerer')).online();
    for (let n = 0; n < 3; n++) {
      await ctx.ccaas.newCall({ from: phone });
      const offer = await agent.next('offer');
      await agent.request({ action: 'accept', offerId: offer.offerId });
      await agent.next('interactionCreated');
      await ctx.ccaas.event(offer.callId, 'ended');
      await agent.request({ action: 'wrapUp', callId: offer.callId, disposition: 'done' });
    }

    const pages = await allPages(
      `${ctx.stack.url}/v1/interactions?phone=${encodeURIComponent(phone)}`,
      'interactions',
      2,
    );
    const created = pages.flat().map((i) => i.createdAt as string);
    expect(created).toHaveLength(3);
    expect([...created].sort().reverse()).toEqual(created);
    expect((await allPages(`${ctx.stack.url}/v1/work-items?status=open`, 'workItems', 1)).flat()).toEqual([]);
  });

  it('refuses a cursor the list did not give out, and a bad limit, changing nothing', async () => {
    const first = await getJson(`${ctx.stack.url}/v1/agents?limit=1`);
    const agentsCursor = first.body.nextCursor as string;
    expect(agentsCursor).toBeDefined();
    const forged = Buffer.from(JSON.stringify({ agentId: 'x', extra: 'y' })).toString('base64url');

    for (const [url, code] of [
      [`/v1/work-items?cursor=${agentsCursor}`, 'INVALID_CURSOR'],
      [`/v1/interactions?phone=%2B1&cursor=${agentsCursor}`, 'INVALID_CURSOR'],
      [`/v1/agents?cursor=${forged}`, 'INVALID_CURSOR'],
      ['/v1/agents?cursor=bm90IGpzb24', 'INVALID_CURSOR'],
      ['/v1/agents?cursor=not%20base64', 'VALIDATION_FAILED'],
      ['/v1/agents?limit=0', 'VALIDATION_FAILED'],
      ['/v1/agents?limit=1001', 'VALIDATION_FAILED'],
      ['/v1/agents?limit=ten', 'VALIDATION_FAILED'],
    ] as const) {
      const { status, body } = await getJson(`${ctx.stack.url}${url}`);
      expect(status, url).toBe(422);
      expect(body.error.code, url).toBe(code);
    }
  });
});
