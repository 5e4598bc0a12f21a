import type { Page, WebSocketRoute } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { goAvailable, useBrowser } from '../support/browser.ts';
import { useLocalStack } from '../support/stack.ts';

/** How long a change the server pushes may take to show, on a busy machine (expect.poll's default is 1 s). */
const SHOWN = { timeout: 10_000 };

/** The agent workspace in headless Chromium, driven through the page only; the CCaaS side signs its REST. */
describe('the agent workspace', () => {
  const ctx = useLocalStack();
  const web = useBrowser(() => ctx.stack.url);

  const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
  const offerCard = (page: Page) => page.getByRole('region', { name: 'Incoming call' });
  const callPanel = (page: Page) => page.getByRole('region', { name: 'Call', exact: true });

  /** An agent of its own queue, signed in on its page and available. */
  async function availableAgent(
    agentId: string,
    queue: string,
    beforeOpen?: (page: Page) => Promise<void>,
  ): Promise<Page> {
    await ctx.agent(agentId, { queues: [queue] });
    const page = await web.signIn(agentId, beforeOpen);
    await goAvailable(page);
    return page;
  }

  /** An offer takes the focus to its Accept button, so that the keyboard answers it. */
  const acceptHasFocus = (page: Page) =>
    expect.poll(() => page.locator(':focus').textContent(), { timeout: 5_000 }).toBe('Accept');

  /** The offer of a new call, accepted on the page with the keyboard (Accept has the focus). */
  async function acceptedCall(page: Page, queue: string, from: string): Promise<string> {
    const callId = await ctx.ccaas.newCall({ queue, from });
    await offerCard(page).waitFor();
    await acceptHasFocus(page);
    await page.keyboard.press('Enter');
    await callPanel(page).getByText('Connected').waitFor();
    return callId;
  }

  it('shows an offer with its caller and queue, and once accepted the call and its interaction', async () => {
    const page = await availableAgent('web-accept', 'web-accept-q');
    const options = page.getByRole('combobox', { name: 'Status' }).getByRole('option');
    expect(await options.allTextContents()).toEqual(['Available', 'Away', 'Offline']);
    await ctx.ccaas.newCall({ queue: 'web-accept-q', from: '+15550100001' });

    const card = offerCard(page);
    await card.waitFor();
    await card.getByText('+15550100001').waitFor();
    await card.getByText('web-accept-q').waitFor();
    await card.getByText(/^\d+ s$/).waitFor();
    await button(page, 'Accept').click();

    const call = callPanel(page);
    await call.getByText('Connected').waitFor();
    await call.getByText('+15550100001').waitFor();
    await card.waitFor({ state: 'detached' });
    await button(page, 'Open interaction').click();
    const record = page.getByLabel('Interaction record');
    await record.getByText('+15550100001').waitFor();
    await record.getByText('open', { exact: true }).waitFor();
    await expect.poll(() => page.getByRole('combobox', { name: 'Status' }).inputValue(), SHOWN).toBe('');
    await page.getByText('On a call').waitFor();
  });

  it('keeps Transfer disabled until the call has an interaction', async () => {
    const page = await availableAgent('web-transfer', 'web-transfer-q');
    await ctx.setInteractionStore('down');
    try {
      await acceptedCall(page, 'web-transfer-q', '+15550100002');
      await page.getByLabel('Queue name').fill('web-elsewhere');
      expect(await button(page, 'Transfer').isDisabled()).toBe(true);

      // Asked for on demand while the CRM is down: pending, and still no transfer.
      await button(page, 'Create interaction').click();
      await page.getByText('interaction store unavailable').waitFor();
      expect(await button(page, 'Transfer').isDisabled()).toBe(true);
    } finally {
      await ctx.setInteractionStore('up');
    }
    // The retry creates it; the page is told.
    await button(page, 'Open interaction').waitFor({ timeout: 20_000 });
    await expect.poll(() => button(page, 'Transfer').isEnabled(), SHOWN).toBe(true);
    expect(await button(page, 'Create interaction').count()).toBe(0);
  });

  it('shows mute and hold from the page, and a hold from the CCaaS', async () => {
    const page = await availableAgent('web-controls', 'web-controls-q');
    const callId = await acceptedCall(page, 'web-controls-q', '+15550100003');
    const state = callPanel(page).locator('.call-state');

    await button(page, 'Mute').click();
    await button(page, 'Unmute').waitFor();
    await state.getByText('Muted').waitFor();
    await button(page, 'Hold').click();
    await button(page, 'Resume').waitFor();
    expect(await state.textContent()).toBe('Connected, On hold, Muted');
    await button(page, 'Resume').click();
    await button(page, 'Unmute').click();
    await button(page, 'Hold').waitFor();
    await button(page, 'Mute').waitFor();
    expect(await state.textContent()).toBe('Connected');

    // The caller put on hold from the phone: the CCaaS says so, the page shows it.
    expect((await ctx.ccaas.event(callId, 'held')).body).toMatchObject({ applied: true });
    await button(page, 'Resume').waitFor();
    expect(await state.textContent()).toBe('Connected, On hold');
  });

  it('hands a rejected offer to the next agent, on that agent’s page', async () => {
    const first = await availableAgent('web-reject-1', 'web-reject-q');
    const second = await availableAgent('web-reject-2', 'web-reject-q');
    await ctx.ccaas.newCall({ queue: 'web-reject-q', from: '+15550100004' });

    await offerCard(first).waitFor(); // the longest idle is offered it first
    expect(await offerCard(second).count()).toBe(0);
    // With the keyboard: Accept has the focus, Reject is the next control.
    await acceptHasFocus(first);
    await first.keyboard.press('Tab');
    await first.keyboard.press('Enter');

    const card = offerCard(second);
    await card.getByText('+15550100004').waitFor();
    await offerCard(first).waitFor({ state: 'detached' });
    await button(second, 'Accept').click();
    await callPanel(second).getByText('Connected').waitFor();
  });

  it('shows a banner while its socket is down, and its live call again once the socket is back', async () => {
    // The page's sockets go through the test, which can cut one as a network would.
    const sockets: WebSocketRoute[] = [];
    let tokens = 0;
    const page = await availableAgent('web-drop', 'web-drop-q', async (p) => {
      await p.routeWebSocket(/\/ws\?token=/, (socket) => {
        socket.connectToServer();
        sockets.push(socket);
      });
      // The reconnect's token is slow to come: the page is still down meanwhile, and must say so.
      await p.route('**/dev/token', async (route) => {
        tokens += 1;
        if (tokens > 1) await new Promise((resolve) => setTimeout(resolve, 1500));
        await route.continue();
      });
    });
    const callId = await acceptedCall(page, 'web-drop-q', '+15550100005');
    const banner = page.getByRole('status').getByText('reconnecting');

    await sockets.at(-1)?.close({ code: 1006 });
    await banner.waitFor();
    // While it is down, the CCaaS puts the caller on hold.
    expect((await ctx.ccaas.event(callId, 'held')).body).toMatchObject({ applied: true });

    await banner.waitFor({ state: 'detached', timeout: 15_000 });
    expect(sockets.length).toBe(2);
    await button(page, 'Resume').waitFor();
    expect(await callPanel(page).getByText('+15550100005').count()).toBe(1);
    expect(await callPanel(page).locator('.call-state').textContent()).toBe('Connected, On hold');
    // The recovered socket carries actions again.
    await button(page, 'Resume').click();
    await button(page, 'Hold').waitFor();
  });

  it('adds a note, hangs up and wraps up with a disposition, which the interaction then shows', async () => {
    const page = await availableAgent('web-wrap', 'web-wrap-q');
    await acceptedCall(page, 'web-wrap-q', '+15550100006');
    await page.getByLabel('Note').fill('Asked for a refund');
    await button(page, 'Add note').click();
    await page.getByRole('list', { name: 'Notes added' }).getByText('Asked for a refund').waitFor();

    await button(page, 'Hang up').click();
    await page.getByText('Wrap-up', { exact: true }).waitFor();
    expect(await button(page, 'Mute').count()).toBe(0);
    await button(page, 'Open interaction').click();
    await page.getByLabel('Interaction record').getByText('Asked for a refund').waitFor();
    await page.getByLabel('Disposition').selectOption({ label: 'Follow-up needed' });
    await button(page, 'Wrap up').click();

    await page.getByText('Waiting for a call.').waitFor();
    expect(await callPanel(page).count()).toBe(0);
  });
});
