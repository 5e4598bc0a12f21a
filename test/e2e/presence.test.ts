import { describe, expect, it } from 'vitest';
import { AgentClient } from '../support/agent.ts';
import { getJson } from '../support/ccaas.ts';
import { eventually } from '../support/poll.ts';
import { useLocalStack } from '../support/stack.ts';

describe('agent presence', () => {
  const ctx = useLocalStack({
    offerTimeoutSeconds: 2,
    missedOfferStatus: 'away',
    wrapUpSeconds: 2,
    agentOfflineGraceSeconds: 2,
  });
  const statusBecomes = (agentId: string, status: string) =>
    eventually(async () => (await ctx.agentView(agentId))?.status === status, {
      timeoutMs: 10_000,
      what: `${agentId} to be ${status}`,
    });

  it('shows each agent’s status and since when', async () => {
    const before = Date.now();
    await (await ctx.agent('since-a', { queues: ['since'] })).online();
    const view = await ctx.agentView('since-a');
    expect(view).toMatchObject({ status: 'available', connected: true });
    expect(Date.parse(view.statusSince)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('applies MISSED_OFFER_STATUS to an agent who let an offer time out, and offers it nothing more', async () => {
    const agent = await (await ctx.agent('miss-away', { queues: ['miss-away'] })).online();
    const callId = await ctx.ccaas.newCall({ queue: 'miss-away' });
    await agent.next('offer');
    await statusBecomes('miss-away', 'away');
    await ctx.ccaas.newCall({ queue: 'miss-away' });
    await new Promise((r) => setTimeout(r, 500));
    expect(agent.received('offer')).toHaveLength(1);
    await ctx.ccaas.event(callId, 'caller_hangup');
  });

  it('revokes the pending offer and reroutes at once when the agent goes away', async () => {
    const leaving = await (await ctx.agent('away-a', { queues: ['away-q'] })).online();
    const callId = await ctx.ccaas.newCall({ queue: 'away-q' });
    const offer = await leaving.next('offer');
    const staying = await (await ctx.agent('away-b', { queues: ['away-q'] })).online();
    expect(await leaving.request({ action: 'setStatus', status: 'away' })).toMatchObject({ type: 'ack' });
    expect(await leaving.next('offerRevoked')).toMatchObject({
      offerId: offer.offerId,
      reason: 'agent_away',
    });
    expect(await staying.next('offer', 1500)).toMatchObject({ callId });
    expect((await ctx.agentView('away-a')).status).toBe('away');
  });

  it('ends the wrap-up by itself after WRAP_UP_SECONDS', async () => {
    const agent = await (await ctx.agent('wrap-a', { queues: ['wrap'] })).online();
    const callId = await ctx.ccaas.newCall({ queue: 'wrap' });
    await agent.request({ action: 'accept', offerId: (await agent.next('offer')).offerId });
    await agent.request({ action: 'hangup', callId });
    await statusBecomes('wrap-a', 'wrap_up');
    await statusBecomes('wrap-a', 'available');
  });

  it('sets an agent with no socket offline after the grace period, unless it comes back in time', async () => {
    const gone = await (await ctx.agent('grace-gone', { queues: ['grace'] })).online();
    const back = await (await ctx.agent('grace-back', { queues: ['grace'] })).online();
    await gone.close();
    await back.close();
    const again = await new AgentClient(ctx.stack.url, ctx.stack.wsUrl, 'grace-back').connect();
    ctx.agents.push(again);
    await statusBecomes('grace-gone', 'offline');
    expect((await ctx.agentView('grace-back')).status).toBe('available');
  });

  it('does not set an agent on a live call offline when its socket drops', async () => {
    const agent = await (await ctx.agent('live-drop', { queues: ['live-drop'] })).online();
    const callId = await ctx.ccaas.newCall({ queue: 'live-drop' });
    await agent.request({ action: 'accept', offerId: (await agent.next('offer')).offerId });
    await agent.close();
    await new Promise((r) => setTimeout(r, 3500));
    expect((await ctx.agentView('live-drop')).status).toBe('on_call');
    expect((await getJson(`${ctx.stack.url}/v1/calls/${callId}`)).body.status).toBe('connected');
  });
});
