import { describe, expect, it } from 'vitest';
import { getJson } from '../support/ccaas.ts';
import { useLocalStack } from '../support/stack.ts';

const SEGMENTS = 2_000;
const HOUR_MS = 3_600_000;

/** Every page of a call's list, following `nextCursor` from the one the call's view gave. */
async function restOf(url: string, list: string, cursor: string | undefined): Promise<unknown[]> {
  const items: unknown[] = [];
  while (cursor) {
    const { status, body } = await getJson(`${url}?limit=1000&cursor=${cursor}`);
    expect(status).toBe(200);
    items.push(...body[list]);
    cursor = body.nextCursor;
  }
  return items;
}

describe('a long transcribed call', () => {
  const ctx = useLocalStack();

  it('ends normally after an hour of 2,000 transcript segments, with all of them in its conversation', async () => {
    const { agent, callId } = await ctx.connectedCall('long-a', 'long');
    const { interactionId } = await agent.waitFor((m) => m.type === 'interactionCreated', 15_000);
    const startedAt = Date.now();
    // About 250 characters each: 500 KB of text, more than a DynamoDB item holds.
    const text = (i: number) =>
      `segment ${i}: ${'the caller explains the problem once more, slowly. '.repeat(5)}`;

    // In seq order, one at a time: an event below the last applied seq would be stale.
    for (let i = 1; i <= SEGMENTS; i++) {
      const at = new Date(startedAt + (i * HOUR_MS) / SEGMENTS).toISOString();
      const res = await ctx.ccaas.event(callId, 'transcript', { text: text(i), at });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const ended = await ctx.ccaas.event(callId, 'ended', { at: new Date(startedAt + HOUR_MS).toISOString() });

    expect(ended).toMatchObject({ status: 200, body: { applied: true, call: { state: 'completed' } } });
    expect(await agent.waitFor((m) => m.type === 'callState' && m.state === 'completed')).toMatchObject({
      callId,
    });
    const call = await ctx.call(callId);
    expect(call).toMatchObject({ status: 'completed', endReason: 'ended', lastEventSeq: SEGMENTS + 1 });
    const conversation = [
      ...call.conversation,
      ...(await restOf(
        `${ctx.stack.url}/v1/calls/${callId}/conversation`,
        'conversation',
        call.conversationNextCursor,
      )),
    ];
    expect(conversation).toHaveLength(SEGMENTS);
    expect(conversation.map((e: any) => e.text)).toEqual(
      Array.from({ length: SEGMENTS }, (_, i) => text(i + 1)),
    );
    expect(call.timeline.map((e: { type: string }) => e.type)).toContain('completed');

    const interaction = (await getJson(`${ctx.stack.url}/v1/interactions/${interactionId}`)).body;
    expect(interaction).toMatchObject({ status: 'closed', phoneLog: { endReason: 'ended' } });
    expect(interaction.conversation).toEqual(call.conversation);
    expect(interaction.conversationNextCursor).toBe(call.conversationNextCursor);
  }, 120_000);
});
