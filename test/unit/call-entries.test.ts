import { describe, expect, it } from 'vitest';
import type { Caller } from '../../functions/core/permissions.ts';
import { ENTRIES_IN_VIEW } from '../../functions/core/use-cases/admin.ts';
import { offeredCall, t0, type World, world } from '../support/use-case-world.ts';

/** Who reads the views here: a supervisor (the REST routes' permissions have tests of their own). */
const SUPERVISOR: Caller = { userId: 'sup', groups: ['supervisors'] };
const at = (s: number) => new Date(t0.getTime() + s * 1000).toISOString();

/** A call answered by a1, with its interaction created. */
async function connected(w: World) {
  const { callId, offerId } = await offeredCall(w);
  await w.app.acceptOffer('a1', offerId);
  await w.app.createInteraction(callId);
  const interaction = (await w.deps.calls.get(callId))?.interaction;
  if (interaction?.status !== 'created') throw new Error('no interaction');
  return { callId, interactionId: interaction.interactionId };
}

describe("a call's conversation and timeline", () => {
  it('shows notes and transcript segments on the interaction from the call, never writing them to it', async () => {
    const w = await world();
    const { callId, interactionId } = await connected(w);
    const before = w.interactions.items.get(interactionId);

    await w.app.applyCcaasEvent(callId, { seq: 1, type: 'transcript', at: at(1), text: 'hello' });
    await w.app.agentCall.note('a1', callId, 'wants a refund');

    expect(w.interactions.items.get(interactionId)).toBe(before);
    expect(before).not.toHaveProperty('conversation');
    const view = await w.app.admin.getInteraction(SUPERVISOR, interactionId);
    expect(view.conversation).toEqual([
      { at: at(1), kind: 'transcript', by: 'ccaas', text: 'hello' },
      expect.objectContaining({ kind: 'note', by: 'a1', text: 'wants a refund' }),
    ]);
    expect(view).not.toHaveProperty('conversationNextCursor');
  });

  it('adds no segment for a stale or repeated seq', async () => {
    const w = await world();
    const { callId } = await connected(w);

    await w.app.applyCcaasEvent(callId, { seq: 2, type: 'transcript', at: at(2), text: 'second' });
    const stale = await w.app.applyCcaasEvent(callId, {
      seq: 1,
      type: 'transcript',
      at: at(1),
      text: 'first',
    });
    const repeated = await w.app.applyCcaasEvent(callId, {
      seq: 2,
      type: 'transcript',
      at: at(2),
      text: 'second',
    });

    expect([stale.applied, repeated.applied]).toEqual([false, false]);
    expect((await w.app.admin.getCall(SUPERVISOR, callId)).conversation.map((e) => e.text)).toEqual([
      'second',
    ]);
  });

  it('tells the agent of a control from the CCaaS, not of a transcript segment', async () => {
    const w = await world();
    const { callId } = await connected(w);
    const pushedBefore = w.pushed.length;

    await w.app.applyCcaasEvent(callId, { seq: 1, type: 'transcript', at: at(1), text: 'hello' });
    expect(w.pushed).toHaveLength(pushedBefore);
    await w.app.applyCcaasEvent(callId, { seq: 2, type: 'held', at: at(2) });
    expect(w.pushed.slice(pushedBefore).map((p) => p.message)).toEqual([
      expect.objectContaining({ type: 'callState', callId, held: true }),
    ]);
  });

  it('gives the first page of each list in the call’s view, and the rest a page at a time', async () => {
    const w = await world();
    const { callId } = await connected(w);
    const segments = ENTRIES_IN_VIEW + 1;
    for (let seq = 1; seq <= segments; seq++) {
      await w.app.applyCcaasEvent(callId, { seq, type: 'transcript', at: at(seq), text: `segment ${seq}` });
    }

    const view = await w.app.admin.getCall(SUPERVISOR, callId);
    expect(view.conversation).toHaveLength(ENTRIES_IN_VIEW);
    expect(view.timeline.map((e) => e.type)).toEqual([
      'received',
      'offered',
      'offer_accepted',
      'interaction_created',
    ]);
    expect(view).not.toHaveProperty('timelineNextCursor');
    expect(view).not.toHaveProperty('newEntries');
    const rest = await w.app.admin.listCallEntries(SUPERVISOR, callId, 'conversation', {
      limit: 10,
      cursor: view.conversationNextCursor,
    });
    expect(rest).toEqual({
      items: [{ at: at(segments), kind: 'transcript', by: 'ccaas', text: `segment ${segments}` }],
    });
  });
});
