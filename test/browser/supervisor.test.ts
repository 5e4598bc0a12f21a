import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowser } from '../support/browser.ts';
import { useLocalStack } from '../support/stack.ts';

/** The supervisor view in headless Chromium: it follows the contact center by itself, with no reload. */
describe('the supervisor view', () => {
  const ctx = useLocalStack();
  const web = useBrowser(() => ctx.stack.url);
  /** The page asks every 2 s: what changes shows within a few seconds. */
  const SEEN = { timeout: 6_000 };

  /** The cells of a table's row, by its row header. */
  const rowOf = (page: Page, table: string, header: string) =>
    page
      .getByRole('table', { name: table })
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: header, exact: true }) });
  const cells = (page: Page, table: string, header: string) =>
    rowOf(page, table, header).getByRole('cell').allTextContents();

  it('shows a queue grow while nobody takes its calls, and drain once an agent answers', async () => {
    const supervisor = await web.supervisor('sup-watcher');
    await ctx.agent('sup-agent', { queues: ['sup-q'] });
    await expect
      .poll(() => cells(supervisor, 'Agents', 'sup-agent (sup-agent)'), SEEN)
      .toEqual(['Offline', expect.stringMatching(/^\d+:\d\d$/), 'sup-q']);

    await ctx.ccaas.newCall({ queue: 'sup-q', from: '+15550400001' });
    await ctx.ccaas.newCall({ queue: 'sup-q', from: '+15550400002' });
    await expect.poll(async () => (await cells(supervisor, 'Queues', 'sup-q'))[0], SEEN).toBe('2');
    expect(await cells(supervisor, 'Live calls', '+15550400001')).toEqual(['sup-q', 'Queued', '', '']);

    // An agent goes available on its workspace and answers the first call: one left waiting.
    const page = await web.signIn('sup-agent');
    await page.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'Available' });
    await page.getByRole('button', { name: 'Accept', exact: true }).click();
    await expect
      .poll(() => cells(supervisor, 'Live calls', '+15550400001'), SEEN)
      .toEqual(['sup-q', 'Connected', 'sup-agent', expect.stringMatching(/^\d+:\d\d$/)]);
    await expect.poll(async () => (await cells(supervisor, 'Queues', 'sup-q'))[0], SEEN).toBe('1');
    expect(await cells(supervisor, 'Agents', 'sup-agent (sup-agent)')).toEqual([
      'On a call',
      expect.stringMatching(/^\d+:\d\d$/),
      'sup-q',
    ]);

    // A second agent comes online and answers the other: the queue is empty.
    const second = await (await ctx.agent('sup-agent-2', { queues: ['sup-q'] })).online();
    const offer = await second.next('offer');
    await second.request({ action: 'accept', offerId: offer.offerId });
    await expect.poll(async () => (await cells(supervisor, 'Queues', 'sup-q'))[0], SEEN).toBe('0');
    await expect
      .poll(async () => (await cells(supervisor, 'Today (since midnight UTC)', 'Answered'))[0], SEEN)
      .toBe('2');
    expect(await cells(supervisor, 'Live calls', '+15550400002')).toEqual([
      'sup-q',
      'Connected',
      'sup-agent-2',
      expect.stringMatching(/^\d+:\d\d$/),
    ]);
  });
});
