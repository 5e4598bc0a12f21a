import { describe, expect, it } from 'vitest';
import { getJson } from '../support/ccaas.ts';
import { eventually } from '../support/poll.ts';
import { useLocalStack } from '../support/stack.ts';

describe('the interaction store (CRM) is down', () => {
  const ctx = useLocalStack({ offerTimeoutSeconds: 10 });

  it('still offers and connects 10 calls, and creates each interaction once after the store is back', async () => {
    const agents = await Promise.all(
      Array.from({ length: 10 }, async (_, i) =>
        (await ctx.agent(`outage-${i}`, { queues: ['outage'] })).online(),
      ),
    );
    await ctx.setInteractionStore('down');
    const callIds: string[] = [];
    for (let i = 0; i < agents.length; i++) {
      const callId = await ctx.ccaas.newCall({
        queue: 'outage',
        from: `+155500090${String(i).padStart(2, '0')}`,
      });
      callIds.push(callId);
      const offer = await eventually(() =>
        agents.flatMap((a) => a.received('offer')).find((o) => o.callId === callId),
      );
      const owner = agents.find((a) => a.received('offer').some((o) => o.offerId === offer.offerId));
      expect(await owner?.request({ action: 'accept', offerId: offer.offerId })).toMatchObject({
        type: 'ack',
      });
      expect(await owner?.waitFor((m) => m.type === 'callState' && m.callId === callId)).toMatchObject({
        state: 'connected',
      });
    }
    // Every call is connected, none has its interaction yet, and each agent was told it is pending.
    for (const callId of callIds) {
      const pending = await eventually(
        async () => {
          const call = await ctx.call(callId);
          return call.interaction.status === 'pending' ? call : undefined;
        },
        { timeoutMs: 15_000, what: `interaction of ${callId} to be pending` },
      );
      expect(pending.status).toBe('connected');
      await eventually(() =>
        agents.flatMap((a) => a.received('interactionPending')).find((m) => m.callId === callId),
      );
    }

    await ctx.setInteractionStore('up');
    const created = await Promise.all(
      callIds.map((callId) =>
        eventually(
          async () => {
            const call = await ctx.call(callId);
            return call.interaction.status === 'created' ? call.interaction.interactionId : undefined;
          },
          { timeoutMs: 20_000, what: `interaction of ${callId} to be created` },
        ),
      ),
    );
    expect(new Set(created).size).toBe(callIds.length);
    for (const [i, callId] of callIds.entries()) {
      const byPhone = (
        await getJson(
          `${ctx.stack.url}/v1/interactions?phone=${encodeURIComponent(`+155500090${String(i).padStart(2, '0')}`)}`,
        )
      ).body;
      expect(byPhone.interactions).toEqual([expect.objectContaining({ callId, interactionId: created[i] })]);
    }
    const notified = agents.flatMap((a) => a.received('interactionCreated')).map((m) => m.callId);
    expect(new Set(notified)).toEqual(new Set(callIds));
    expect(
      ctx.stack.published.filter(
        (e) => e['detail-type'] === 'interaction.created' && callIds.includes(String(e.detail.callId)),
      ),
    ).toHaveLength(callIds.length);
  });

  it('never makes a call wait for a slow CRM: offered and connected before its interaction exists', async () => {
    const agent = await (await ctx.agent('slow-crm', { queues: ['slow-crm'] })).online();
    const slow = await fetch(`${ctx.stack.url}/dev/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ interactionStoreLatencyMs: 1500 }),
    });
    expect(slow.status).toBe(200);
    try {
      const callId = await ctx.ccaas.newCall({ queue: 'slow-crm' });
      const offer = await agent.next('offer');
      expect((await ctx.call(callId)).interaction.status).toBe('none');
      await agent.request({ action: 'accept', offerId: offer.offerId });
      await agent.waitFor((m) => m.type === 'callState' && m.state === 'connected');
      expect(agent.received('interactionCreated')).toEqual([]);
      expect(await agent.waitFor((m) => m.type === 'interactionCreated', 15_000)).toMatchObject({ callId });
    } finally {
      await fetch(`${ctx.stack.url}/dev/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ interactionStoreLatencyMs: 0 }),
      });
    }
  });

  it('refuses a fault switch it does not know, or cannot read, in the usual error shape', async () => {
    const put = (body: string) =>
      fetch(`${ctx.stack.url}/dev/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const unknown = await put(JSON.stringify({ interactionStore: 'sideways' }));
    const unreadable = await put('{"interactionStore": ');

    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    expect(unreadable.status).toBe(400);
    expect(((await unreadable.json()) as { error: { code: string } }).error.code).toBe('BAD_JSON');
    expect(ctx.stack.faults).toMatchObject({ interactionStore: 'up' });
  });
});
