import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

/** Debian's Chromium (`apt-get install chromium`, as .ci/run does); CHROMIUM_PATH names another. */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * A headless Chromium for one test file, and the agent workspace opened in it: each agent in a browser
 * context of its own (its own storage, as another person's browser). A script error on any page fails the
 * test it happened in.
 */
export function useBrowser(baseUrl: () => string) {
  const ctx = {} as {
    browser: Browser;
    /**
     * Opens the workspace, signs in as the agent and waits for its snapshot; `beforeOpen` prepares the
     * page first (e.g. routes its socket through the test).
     */
    signIn(agentId: string, beforeOpen?: (page: Page) => Promise<void>): Promise<Page>;
    /** Opens the supervisor view and signs in as a supervisor; resolves once its first view is shown. */
    supervisor(supervisorId: string): Promise<Page>;
    /** Opens the CCaaS simulator page; resolves once its first view is shown. */
    simulator(): Promise<Page>;
    /** A blank page in a browser context of its own, whose script errors fail the test. */
    newPage(who: string): Promise<Page>;
  };
  const scriptErrors: string[] = [];
  beforeAll(async () => {
    ctx.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  }, 30_000);
  afterEach(() => {
    expect(scriptErrors.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await ctx.browser?.close();
  });
  /** A page in a browser context of its own, whose script errors fail the test. */
  const newPage = async (who: string) => {
    const page = await (await ctx.browser.newContext()).newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => scriptErrors.push(`${who}: ${err.message}`));
    return page;
  };
  ctx.newPage = newPage;
  ctx.supervisor = async (supervisorId) => {
    const page = await newPage(supervisorId);
    await page.goto(`${baseUrl()}/supervisor`);
    await page.getByLabel('Supervisor ID').fill(supervisorId);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('table', { name: 'Queues' }).waitFor();
    return page;
  };
  ctx.simulator = async () => {
    const page = await newPage('simulator');
    await page.goto(`${baseUrl()}/simulator`);
    await page.getByRole('table', { name: 'Calls' }).waitFor();
    return page;
  };
  ctx.signIn = async (agentId, beforeOpen) => {
    const page = await newPage(agentId);
    await beforeOpen?.(page);
    await page.goto(`${baseUrl()}/`);
    await page.getByLabel('Agent ID').fill(agentId);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The status control is enabled once the snapshot has told the page who the agent is.
    await expect
      .poll(() => page.getByRole('combobox', { name: 'Status' }).isEnabled(), { timeout: 10_000 })
      .toBe(true);
    return page;
  };
  return ctx;
}

/** Sets the agent available from the page, and waits until the page says the server has it so. */
export async function goAvailable(page: Page): Promise<void> {
  await page.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'Available' });
  await page.getByText('Waiting for a call.').waitFor();
}
