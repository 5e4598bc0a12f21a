import { describe, expect, it } from 'vitest';
import { AgentClient } from '../support/agent.ts';
import { getJson } from '../support/ccaas.ts';
import { eventually } from '../support/poll.ts';
import { useLocalStack } from '../support/stack.ts';

describe('the agent protocol over the socket', () => {
  const ctx = useLocalStack({ offerTimeoutSeconds: 15 });

  const connectedCall = ctx.connectedCall;

  it('runs mute, hold and hang-up on a call that has no interaction', async () => {
    await ctx.setInteractionStore('down');
    try {
      const { agent, callId } = await connectedCall('ctl-a', 'ctl');
      await eventually(async () => (await ctx.call(callId)).interaction.status === 'pending', {
        timeoutMs: 15_000,
      });

      expect(await agent.request({ action: 'mute', callId })).toMatchObject({ type: 'ack' });
      expect(await agent.waitFor((m) => m.type === 'callState' && m.muted === true)).toMatchObject({
        callId,
        held: false,
      });
      expect(await agent.request({ action: 'hold', callId })).toMatchObject({ type: 'ack' });
      expect(await agent.waitFor((m) => m.type === 'callState' && m.held === true)).toMatchObject({
        muted: true,
      });
      await agent.request({ action: 'unmute', callId });
      await agent.request({ action: 'resume', callId });
      expect(await ctx.call(callId)).toMatchObject({ muted: false, held: false, status: 'connected' });
      expect(ctx.published(callId, 'call.control').map((d) => d.control)).toEqual([
        'mute',
        'hold',
        'unmute',
        'resume',
      ]);

      expect(await agent.request({ action: 'hangup', callId })).toMatchObject({ type: 'ack' });
      expect(await agent.waitFor((m) => m.type === 'callState' && m.state === 'completed')).toMatchObject({
        callId,
      });
      expect(await ctx.call(callId)).toMatchObject({
        status: 'completed',
        endReason: 'agent_hangup',
        endedBy: 'agent',
      });
      expect(await ctx.agentStatus('ctl-a')).toBe('wrap_up');
      expect(ctx.published(callId, 'call.control').at(-1)).toMatchObject({
        control: 'hangup',
        agentId: 'ctl-a',
      });
      expect(ctx.published(callId, 'call.ended')).toEqual([
        expect.objectContaining({ status: 'completed', endedBy: 'agent' }),
      ]);
    } finally {
      await ctx.setInteractionStore('up');
    }
  });

  it('refuses a transfer without an interaction, then allows it after openInteraction', async () => {
    await ctx.setInteractionStore('down');
    const { agent, callId } = await connectedCall('xfer-a', 'xfer');
    const target = await (await ctx.agent('xfer-b', { queues: ['xfer-2'] })).online();
    await eventually(async () => (await ctx.call(callId)).interaction.status === 'pending', {
      timeoutMs: 15_000,
    });

    expect(await agent.request({ action: 'transfer', callId, queue: 'xfer-2' })).toMatchObject({
      type: 'error',
      code: 'INTERACTION_REQUIRED',
    });
    expect(await agent.request({ action: 'openInteraction', callId })).toMatchObject({
      type: 'interactionPending',
      callId,
    });
    await ctx.setInteractionStore('up');
    const opened = await agent.request({ action: 'openInteraction', callId });
    expect(opened).toMatchObject({ type: 'interactionCreated', callId });
    expect(await agent.request({ action: 'openInteraction', callId })).toMatchObject({
      type: 'interactionCreated',
      interactionId: opened.interactionId,
    });

    expect(await agent.request({ action: 'transfer', callId, queue: 'xfer-2' })).toMatchObject({
      type: 'ack',
    });
    expect(await ctx.agentStatus('xfer-a')).toBe('wrap_up');
    const offer = await target.next('offer');
    expect(offer).toMatchObject({ callId, queue: 'xfer-2' });
    await target.request({ action: 'accept', offerId: offer.offerId });
    expect(await target.waitFor((m) => m.type === 'interactionCreated')).toMatchObject({
      interactionId: opened.interactionId,
    });
    const after = await ctx.call(callId);
    expect(after).toMatchObject({ status: 'connected', agentId: 'xfer-b', queue: 'xfer-2' });
    expect(after.timeline.map((t: { type: string }) => t.type)).toContain('transferred');
    const interaction = (await getJson(`${ctx.stack.url}/v1/interactions/${opened.interactionId}`)).body;
    expect(interaction).toMatchObject({ agentId: 'xfer-b', callId });
    expect(ctx.published(callId, 'call.control').at(-1)).toMatchObject({
      control: 'transfer',
      agentId: 'xfer-a',
      toQueue: 'xfer-2',
      ccaasCallId: expect.any(String),
    });
  });

  it('transfers to one agent, and back to the queue when that agent rejects', async () => {
    const { agent, callId } = await connectedCall('to-a', 'to-q');
    const other = await (await ctx.agent('to-c', { queues: ['to-q'] })).online();
    const chosen = await (await ctx.agent('to-b', { queues: ['elsewhere'] })).online();
    expect(await agent.request({ action: 'openInteraction', callId })).toMatchObject({
      type: 'interactionCreated',
    });

    expect(await agent.request({ action: 'transfer', callId, agentId: 'to-b' })).toMatchObject({
      type: 'ack',
    });
    const offer = await chosen.next('offer');
    expect(other.received('offer')).toEqual([]);
    await chosen.request({ action: 'reject', offerId: offer.offerId });
    expect(await other.next('offer')).toMatchObject({ callId });
    expect(agent.received('offer')).toHaveLength(1);
  });

  it('refuses a transfer to an agent who is not available, and a transfer naming both queue and agent', async () => {
    const { agent, callId } = await connectedCall('busy-a', 'busy-q');
    await agent.request({ action: 'openInteraction', callId });
    await ctx.agent('busy-b', { queues: ['busy-q'] });
    expect(await agent.request({ action: 'transfer', callId, agentId: 'busy-b' })).toMatchObject({
      type: 'error',
      code: 'AGENT_NOT_AVAILABLE',
    });
    expect(await agent.request({ action: 'transfer', callId, agentId: 'busy-b', queue: 'q' })).toMatchObject({
      type: 'error',
      code: 'VALIDATION_FAILED',
    });
    expect(await ctx.call(callId)).toMatchObject({ status: 'connected', agentId: 'busy-a' });
  });

  it('decides an offer once when two tabs of one agent accept it at the same time', async () => {
    const tab1 = await (await ctx.agent('tabs-a', { queues: ['tabs'] })).online();
    const tab2 = await new AgentClient(ctx.stack.url, ctx.stack.wsUrl, 'tabs-a').connect();
    ctx.agents.push(tab2);
    const callId = await ctx.ccaas.newCall({ queue: 'tabs' });
    const [offer1, offer2] = await Promise.all([tab1.next('offer'), tab2.next('offer')]);
    expect(offer1.offerId).toBe(offer2.offerId);
    const replies = await Promise.all([
      tab1.request({ action: 'accept', offerId: offer1.offerId }),
      tab2.request({ action: 'accept', offerId: offer2.offerId }),
    ]);
    expect(replies.map((r) => r.type).sort()).toEqual(['ack', 'error']);
    expect(replies.find((r) => r.type === 'error')).toMatchObject({ code: 'OFFER_CLOSED' });
    for (const tab of [tab1, tab2]) {
      expect(await tab.waitFor((m) => m.type === 'callState' && m.callId === callId)).toMatchObject({
        state: 'connected',
      });
    }
    expect((await ctx.call(callId)).offers).toHaveLength(1);
  });

  it('offers the next agent at once when the offered agent’s socket drops', async () => {
    const flaky = await (await ctx.agent('drop-a', { queues: ['drop'] })).online();
    const steady = await (await ctx.agent('drop-b', { queues: ['drop'] })).online();
    const callId = await ctx.ccaas.newCall({ queue: 'drop' });
    await flaky.next('offer');
    const dropped = Date.now();
    await flaky.close();
    expect(await steady.next('offer', 5000)).toMatchObject({ callId });
    expect(Date.now() - dropped).toBeLessThan(5000);
    expect((await ctx.call(callId)).offers[0]).toMatchObject({
      agentId: 'drop-a',
      status: 'revoked',
      reason: 'agent_unreachable',
    });
  });

  it('keeps a live call through a reconnect and gives the snapshot with it', async () => {
    const { agent, callId } = await connectedCall('re-a', 're');
    await agent.close();
    expect(await ctx.call(callId)).toMatchObject({ status: 'connected' });
    const again = await new AgentClient(ctx.stack.url, ctx.stack.wsUrl, 're-a').connect();
    ctx.agents.push(again);
    const snapshot = await again.request({ action: 'sync' });
    expect(snapshot).toMatchObject({
      type: 'snapshot',
      agent: { agentId: 're-a', status: 'on_call' },
      calls: [expect.objectContaining({ callId, state: 'connected' })],
    });
    expect(snapshot).not.toHaveProperty('offer');
  });

  it('gives a pending offer with its time left in the snapshot', async () => {
    const agent = await (await ctx.agent('snap-a', { queues: ['snap'] })).online();
    const callId = await ctx.ccaas.newCall({ queue: 'snap' });
    const offer = await agent.next('offer');
    const snapshot = await agent.request({ action: 'sync' });
    expect(snapshot.offer).toMatchObject({ offerId: offer.offerId, callId });
    expect(snapshot.offer.secondsLeft).toBeGreaterThan(10);
    expect(JSON.stringify(snapshot)).not.toContain('taskToken');
  });

  it('refuses an agent acting on another agent’s call, and changes nothing', async () => {
    const { callId } = await connectedCall('own-call-a', 'own-call');
    const intruder = await (await ctx.agent('own-call-b', { queues: ['nothing'] })).online();
    for (const action of ['mute', 'hold', 'hangup', 'openInteraction']) {
      expect(await intruder.request({ action, callId })).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    }
    expect(await intruder.request({ action: 'note', callId, text: 'hi' })).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await intruder.request({ action: 'transfer', callId, queue: 'x' })).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await intruder.request({ action: 'wrapUp', callId, disposition: 'x' })).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await ctx.call(callId)).toMatchObject({
      status: 'connected',
      muted: false,
      held: false,
      conversation: [],
    });
  });

  it('keeps notes taken before the interaction exists and attaches them, with transcript and disposition', async () => {
    await ctx.setInteractionStore('down');
    const { agent, callId } = await connectedCall('notes-a', 'notes');
    await eventually(async () => (await ctx.call(callId)).interaction.status === 'pending', {
      timeoutMs: 15_000,
    });
    expect(await agent.request({ action: 'note', callId, text: 'caller wants a refund' })).toMatchObject({
      type: 'ack',
    });
    expect((await ctx.ccaas.event(callId, 'transcript', { text: 'hello, I need help' })).status).toBe(200);
    await ctx.setInteractionStore('up');
    const { interactionId } = await agent.waitFor((m) => m.type === 'interactionCreated', 15_000);
    expect(await agent.request({ action: 'hangup', callId })).toMatchObject({ type: 'ack' });
    expect(await agent.request({ action: 'wrapUp', callId, disposition: 'refund issued' })).toMatchObject({
      type: 'ack',
    });
    expect(await ctx.agentStatus('notes-a')).toBe('available');

    const interaction = (await getJson(`${ctx.stack.url}/v1/interactions/${interactionId}`)).body;
    expect(interaction.conversation).toEqual([
      expect.objectContaining({ kind: 'note', by: 'notes-a', text: 'caller wants a refund' }),
      expect.objectContaining({ kind: 'transcript', by: 'ccaas', text: 'hello, I need help' }),
    ]);
    expect(interaction).toMatchObject({
      status: 'closed',
      disposition: 'refund issued',
      phoneLog: { endReason: 'agent_hangup', endedBy: 'agent', agentId: 'notes-a' },
    });
    expect(interaction.phoneLog.durationSeconds).toBeGreaterThanOrEqual(0);
  });

  it('refuses a wrap-up while the call is still live', async () => {
    const { agent, callId } = await connectedCall('live-a', 'live');
    expect(await agent.request({ action: 'wrapUp', callId, disposition: 'done' })).toMatchObject({
      type: 'error',
      code: 'INVALID_STATE',
    });
  });

  it('offers the call to the next agent when the bridge fails after an accept', async () => {
    const first = await (await ctx.agent('bridge-a', { queues: ['bridge'] })).online();
    const second = await (await ctx.agent('bridge-b', { queues: ['bridge'] })).online();
    const callId = await ctx.ccaas.newCall({ queue: 'bridge' });
    const offer = await first.next('offer');
    await first.request({ action: 'accept', offerId: offer.offerId });
    await first.waitFor((m) => m.type === 'callState' && m.state === 'connected');
    await first.waitFor((m) => m.type === 'interactionCreated');

    expect(
      (await ctx.ccaas.event(callId, 'bridge_failed', { reason: 'agent phone unreachable' })).status,
    ).toBe(200);
    expect(await first.waitFor((m) => m.type === 'callState' && m.state === 'queued')).toMatchObject({
      callId,
    });
    const next = await second.next('offer');
    expect(next).toMatchObject({ callId });
    await second.request({ action: 'accept', offerId: next.offerId });
    expect(await second.waitFor((m) => m.type === 'interactionCreated')).toBeTruthy();
    const after = await ctx.call(callId);
    expect(after.offers.map((o: { agentId: string; status: string }) => [o.agentId, o.status])).toEqual([
      ['bridge-a', 'setup_failed'],
      ['bridge-b', 'accepted'],
    ]);
    expect(after).toMatchObject({ status: 'connected', agentId: 'bridge-b' });
    const agents = (await getJson(`${ctx.stack.url}/v1/agents`)).body.agents;
    expect(agents.find((a: { agentId: string }) => a.agentId === 'bridge-a').status).toBe('available');
  });

  it('records a bridged call on its timeline', async () => {
    const agent = await (await ctx.agent('bridged-a', { queues: ['bridged'] })).online();
    const callId = await ctx.ccaas.newCall({ queue: 'bridged' });
    await agent.request({ action: 'accept', offerId: (await agent.next('offer')).offerId });
    expect((await ctx.ccaas.event(callId, 'bridged')).body).toMatchObject({ applied: true });
    expect((await ctx.call(callId)).timeline.map((t: { type: string }) => t.type)).toContain('bridged');
  });
});
