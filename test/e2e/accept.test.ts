import { describe, expect, it } from 'vitest';
import { getJson } from '../support/ccaas.ts';
import { eventually } from '../support/poll.ts';
import { useLocalStack } from '../support/stack.ts';

describe('an agent accepts an offered call', () => {
  const ctx = useLocalStack({ offerTimeoutSeconds: 10 });

  it('offers the call with no interaction, and creates exactly one after the accept', async () => {
    const agent = await (await ctx.agent('accept-a1')).online();
    const phone = '+15550001111';
    const callId = await ctx.ccaas.newCall({ from: phone });

    const offer = await agent.next('offer');
    expect(offer).toMatchObject({ callId, from: phone, queue: 'support' });
    expect(offer).not.toHaveProperty('taskToken');
    const before = await getJson(`${ctx.stack.url}/v1/interactions?phone=${encodeURIComponent(phone)}`);
    expect(before.body.interactions).toEqual([]);
    expect((await getJson(`${ctx.stack.url}/v1/calls/${callId}`)).body.interaction).toEqual({
      status: 'none',
    });

    expect(await agent.request({ action: 'accept', offerId: offer.offerId })).toMatchObject({ type: 'ack' });
    expect(await agent.next('callState')).toMatchObject({ callId, state: 'connected' });
    const created = await agent.next('interactionCreated');

    const after = await getJson(`${ctx.stack.url}/v1/interactions?phone=${encodeURIComponent(phone)}`);
    expect(after.body.interactions).toHaveLength(1);
    expect(after.body.interactions[0]).toMatchObject({
      interactionId: created.interactionId,
      callId,
      agentId: 'accept-a1',
      source: 'accepted',
      phoneLog: { from: phone, agentId: 'accept-a1' },
    });
    const call = await eventually(async () => {
      const { body } = await getJson(`${ctx.stack.url}/v1/calls/${callId}`);
      return body.interaction.status === 'created' ? body : undefined;
    });
    expect(call).toMatchObject({ status: 'connected', agentId: 'accept-a1' });
    expect(JSON.stringify(call)).not.toContain('taskToken');
    // Every event the CCaaS receives names the call both ways.
    for (const event of ctx.stack.published.filter((e) => e.detail.callId === callId)) {
      expect(event.detail).toMatchObject({ callId, ccaasCallId: expect.any(String) });
    }
    expect(ctx.stack.published.map((e) => e['detail-type'])).toEqual(
      expect.arrayContaining(['call.offered', 'call.accepted', 'interaction.created']),
    );
    expect(ctx.errors).toEqual([]);
  });
});
