import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { goAvailable, useBrowser } from '../support/browser.ts';
import { useLocalStack } from '../support/stack.ts';

/**
 * A person with two browser pages and nothing else: the CCaaS simulator (/simulator) places the calls and
 * plays the phone side, the agent workspace (/) answers them.
 */
const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
const offerCard = (page: Page) => page.getByRole('region', { name: 'Incoming call' });
const callPanel = (page: Page) => page.getByRole('region', { name: 'Call', exact: true });

/** The simulator's row of a call, by its caller. */
const callRow = (sim: Page, from: string) =>
  sim
    .getByRole('table', { name: 'Calls' })
    .getByRole('row')
    .filter({ has: sim.getByRole('rowheader', { name: from, exact: true }) });
/** The simulator's view of a call: queue, state, agent, call id, and its button. */
/**
 * How long what the CCaaS learns takes to show: our webhook goes through the outbox, and the page asks
 * every second.
 */
const SEEN = { timeout: 10_000 };
const callCells = (sim: Page, from: string) => callRow(sim, from).getByRole('cell').allTextContents();
/** A webhook of one type about one call, as the simulator lists it. */
const webhookRow = (sim: Page, type: string, callId: string) =>
  sim
    .getByRole('table', { name: 'Webhooks received' })
    .getByRole('row')
    .filter({ has: sim.getByRole('rowheader', { name: type, exact: true }) })
    .filter({ hasText: callId });

/** Places a call from the simulator's form; resolves to the call id our API answered with. */
async function placeCall(sim: Page, from: string, queue: string): Promise<string> {
  await sim.getByLabel('From').fill(from);
  await sim.getByLabel('Queue').fill(queue);
  await button(sim, 'Place call').click();
  const placed = sim.getByRole('status').getByText(/^Call call_\S+ placed \(queued\)$/);
  const callId = /call_\S+/.exec((await placed.textContent()) ?? '')?.[0];
  if (!callId) throw new Error('no call id shown');
  await callRow(sim, from).waitFor();
  return callId;
}

/** Sends a call event from the simulator, for the call chosen by its id. */
async function sendEvent(sim: Page, callId: string, name: string): Promise<void> {
  await sim.getByRole('combobox', { name: 'Call' }).selectOption(callId);
  await button(sim, name).click();
  await sim.getByRole('status').getByText(`applied to ${callId}`).waitFor();
}

describe('the CCaaS simulator page with the agent workspace', () => {
  const ctx = useLocalStack();
  const web = useBrowser(() => ctx.stack.url);

  async function availableAgent(agentId: string, queue: string): Promise<Page> {
    await ctx.agent(agentId, { queues: [queue] });
    const page = await web.signIn(agentId);
    await goAvailable(page);
    return page;
  }

  /** A call placed on the simulator and accepted on the agent's page. */
  async function answeredCall(sim: Page, page: Page, from: string, queue: string): Promise<string> {
    const callId = await placeCall(sim, from, queue);
    await offerCard(page).getByText(from).waitFor();
    await button(page, 'Accept').click();
    await callPanel(page).getByText('Connected').waitFor();
    return callId;
  }

  it('takes a call end to end: placed on the simulator, answered on the workspace, held and hung up by the CCaaS', async () => {
    const page = await availableAgent('sim-taker', 'sim-q1');
    const sim = await web.simulator();

    const callId = await answeredCall(sim, page, '+15550500001', 'sim-q1');

    // The CCaaS sees the call live, as our webhooks report it, each signature verified.
    await expect
      .poll(() => callCells(sim, '+15550500001'), SEEN)
      .toEqual(['sim-q1', 'Connected', 'sim-taker', callId, 'Hang up']);
    for (const type of ['call.offered', 'call.accepted']) {
      await webhookRow(sim, type, callId).getByRole('cell', { name: 'Verified', exact: true }).waitFor();
    }

    // The caller is put on hold at the CCaaS: the agent sees it.
    await sendEvent(sim, callId, 'Hold');
    await button(page, 'Resume').waitFor();
    expect(await callPanel(page).locator('.call-state').textContent()).toBe('Connected, On hold');
    await expect.poll(async () => (await callCells(sim, '+15550500001'))[1], SEEN).toBe('Connected, On hold');

    // The caller hangs up: the call ends on the agent's page, and the CCaaS is told it ended.
    await callRow(sim, '+15550500001').getByRole('button', { name: 'Hang up' }).click();
    await page.getByText('Wrap-up', { exact: true }).waitFor();
    expect(await button(page, 'Mute').count()).toBe(0);
    await webhookRow(sim, 'call.ended', callId).waitFor();
    await expect.poll(async () => (await callCells(sim, '+15550500001'))[1], SEEN).toBe('Ended');
    expect(await callRow(sim, '+15550500001').getByRole('button').count()).toBe(0);
  });

  it('shows the live call again after the agent reloads the page', async () => {
    const page = await availableAgent('sim-reloader', 'sim-q3');
    const sim = await web.simulator();
    const callId = await answeredCall(sim, page, '+15550500003', 'sim-q3');
    await sendEvent(sim, callId, 'Hold');
    await button(page, 'Resume').waitFor();

    await page.reload();

    await callPanel(page).getByText('+15550500003').waitFor();
    await button(page, 'Resume').waitFor();
    expect(await callPanel(page).locator('.call-state').textContent()).toBe('Connected, On hold');
    expect(await page.getByLabel('Agent ID').count()).toBe(0);
    // The reloaded page acts on the call again.
    await button(page, 'Resume').click();
    await expect.poll(async () => (await callCells(sim, '+15550500003'))[1], SEEN).toBe('Connected');
  });

  it('shows our refusal of a bad call and places nothing; a priority and required skills reach our API', async () => {
    const sim = await web.simulator();
    await sim.getByLabel('From').fill('+15550500004');
    await sim.getByLabel('Queue').fill('sim-q4');
    await sim.getByLabel('Priority').fill('7');
    await button(sim, 'Add a required skill').click();
    await sim.getByLabel('Required skill 1').fill('speaks spanish');
    await sim.getByLabel('Minimum level 1').fill('3');

    // A skill is named as a queue is: our API refuses the space, and says where.
    await button(sim, 'Place call').click();
    await sim
      .getByRole('status')
      .getByText(/^Refused \(422 VALIDATION_FAILED\).*requiredSkills/)
      .waitFor();
    expect(await callRow(sim, '+15550500004').count()).toBe(0);

    await sim.getByLabel('Required skill 1').fill('spanish');
    await button(sim, 'Place call').click();
    const placed = sim.getByRole('status').getByText(/^Call call_\S+ placed/);
    const callId = /call_\S+/.exec((await placed.textContent()) ?? '')?.[0] as string;
    expect(await ctx.call(callId)).toMatchObject({
      priority: 7,
      requiredSkills: [{ skill: 'spanish', minLevel: 3 }],
    });
    await expect
      .poll(() => callCells(sim, '+15550500004'), SEEN)
      .toEqual(['sim-q4', 'Queued', '', callId, 'Hang up']);
  });
});

describe('the CCaaS simulator page and a missed offer', () => {
  const ctx = useLocalStack({ offerTimeoutSeconds: 3 });
  const web = useBrowser(() => ctx.stack.url);

  it('leaves a missed offer and its work item on the agent’s page when nobody answers', async () => {
    await ctx.agent('sim-misser', { queues: ['sim-q2'] });
    const page = await web.signIn('sim-misser');
    await goAvailable(page);
    const sim = await web.simulator();

    const callId = await placeCall(sim, '+15550500002', 'sim-q2');
    await offerCard(page).getByText('+15550500002').waitFor();

    // Nobody answers within the offer timeout.
    await page.getByText('Missed a call from +15550500002 (sim-q2)').waitFor();
    expect(await offerCard(page).count()).toBe(0);
    await page.getByText('Not responding', { exact: true }).waitFor();
    await page
      .getByRole('region', { name: 'Work items' })
      .getByText(/^Missed call from \+15550500002 \(sim-q2\)/)
      .waitFor();
    // The CCaaS is told, and the call waits in its queue again.
    await webhookRow(sim, 'call.offer_missed', callId).waitFor();
    await expect.poll(async () => (await callCells(sim, '+15550500002'))[1], SEEN).toBe('Queued');

    await callRow(sim, '+15550500002').getByRole('button', { name: 'Hang up' }).click();
    await expect.poll(async () => (await callCells(sim, '+15550500002'))[1], SEEN).toBe('Ended');
  });
});
