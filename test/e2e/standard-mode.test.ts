import { describe, expect, it } from 'vitest';
import { getJson } from '../support/ccaas.ts';
import { eventually } from '../support/poll.ts';
import { useLocalStack } from '../support/stack.ts';

describe('standard mode (interaction before the offer)', () => {
  const ctx = useLocalStack({ offerTimeoutSeconds: 10, interactionMode: 'standard' });

  it('creates the interaction before offering the call', async () => {
    const agent = await (await ctx.agent('std-a', { queues: ['std'] })).online();
    const phone = '+15550007777';
    const callId = await ctx.ccaas.newCall({ queue: 'std', from: phone });
    const offer = await agent.next('offer');
    expect(offer.callId).toBe(callId);
    const interactions = (
      await getJson(`${ctx.stack.url}/v1/interactions?phone=${encodeURIComponent(phone)}`)
    ).body.interactions;
    expect(interactions).toEqual([expect.objectContaining({ callId, source: 'standard_mode' })]);
    await agent.request({ action: 'accept', offerId: offer.offerId });
    expect(await agent.next('interactionCreated')).toMatchObject({
      interactionId: interactions[0].interactionId,
    });
  });

  it('does not offer the call while the interaction cannot be created, and overflows it in the end', async () => {
    const agent = await (await ctx.agent('std-b', { queues: ['std-down'] })).online();
    await ctx.setInteractionStore('down');
    try {
      const callId = await ctx.ccaas.newCall({ queue: 'std-down' });
      const ended = await eventually(
        async () => {
          const call = await ctx.call(callId);
          return call.status === 'overflowed' ? call : undefined;
        },
        { timeoutMs: 60_000, what: 'the call to overflow' },
      );
      expect(ended.endReason).toBe('interaction_unavailable');
      expect(agent.received('offer')).toEqual([]);
    } finally {
      await ctx.setInteractionStore('up');
    }
  }, 90_000);
});
