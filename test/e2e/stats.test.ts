import { describe, expect, it } from 'vitest';
import { getJson } from '../support/ccaas.ts';
import { eventually } from '../support/poll.ts';
import { useLocalStack } from '../support/stack.ts';
import { bearer } from '../support/tokens.ts';

/** GET /v1/stats, the supervisor view, on a stack of its own (so today's counts are this file's calls). */
describe('the supervisor view', () => {
  const ctx = useLocalStack();
  const stats = async () => {
    const { status, body } = await getJson(`${ctx.stack.url}/v1/stats`);
    expect(status).toBe(200);
    return body;
  };
  const queueOf = (body: Record<string, any>, queue: string) =>
    body.queues.find((q: { queue: string }) => q.queue === queue);

  it('shows the calls waiting, the live calls, the agents and today’s counts as they change', async () => {
    const first = await ctx.ccaas.newCall({ queue: 'stats-q', from: '+15550300001' });
    const second = await ctx.ccaas.newCall({ queue: 'stats-q', from: '+15550300002' });
    const waiting = await eventually(
      async () => {
        const body = await stats();
        return queueOf(body, 'stats-q')?.waiting === 2 && body;
      },
      { what: 'two calls waiting' },
    );
    expect(queueOf(waiting, 'stats-q').longestWaitSeconds).toBeGreaterThanOrEqual(0);
    expect(waiting.liveCalls).toEqual([
      { callId: first, from: '+15550300001', queue: 'stats-q', status: 'queued' },
      { callId: second, from: '+15550300002', queue: 'stats-q', status: 'queued' },
    ]);
    expect(waiting.today).toEqual({ answered: 0, rejected: 0, missed: 0, abandoned: 0, overflowed: 0 });

    // One agent answers the first call, another rejects the second, whose caller then hangs up.
    const alice = await (await ctx.agent('stats-alice', { queues: ['stats-q'] })).online();
    const offer = await alice.next('offer');
    expect(offer.callId).toBe(first);
    await alice.request({ action: 'accept', offerId: offer.offerId });
    const bob = await (await ctx.agent('stats-bob', { queues: ['stats-q'] })).online();
    const bobsOffer = await bob.next('offer');
    expect(bobsOffer.callId).toBe(second);
    await bob.request({ action: 'reject', offerId: bobsOffer.offerId });
    await ctx.ccaas.event(second, 'caller_hangup');

    const body = await eventually(
      async () => {
        const body = await stats();
        return body.today.abandoned === 1 && body.liveCalls.length === 1 && body;
      },
      { what: 'the second call abandoned' },
    );
    expect(queueOf(body, 'stats-q')).toEqual({ queue: 'stats-q', waiting: 0, longestWaitSeconds: 0 });
    expect(body.liveCalls).toEqual([
      {
        callId: first,
        from: '+15550300001',
        queue: 'stats-q',
        status: 'connected',
        agentId: 'stats-alice',
        connectedAt: expect.any(String),
      },
    ]);
    expect(body.today).toEqual({
      answered: 1,
      rejected: 1,
      missed: 0,
      abandoned: 1,
      overflowed: 0,
      averageTimeToOfferMs: expect.any(Number),
      averageSpeedOfAnswerMs: expect.any(Number),
    });
    expect(body.interactionsPending).toBe(0);
    const agents = body.agents.filter((a: { agentId: string }) => a.agentId.startsWith('stats-'));
    expect(agents).toEqual([
      {
        agentId: 'stats-alice',
        name: 'stats-alice',
        status: 'on_call',
        statusSince: expect.any(String),
        queues: ['stats-q'],
      },
      {
        agentId: 'stats-bob',
        name: 'stats-bob',
        status: 'available',
        statusSince: expect.any(String),
        queues: ['stats-q'],
      },
    ]);
  });

  it('is for supervisors: an agent and an admin alone get 403', async () => {
    for (const groups of [['agents'], ['admins']] as const) {
      const res = await fetch(`${ctx.stack.url}/v1/stats`, {
        headers: await bearer(ctx.stack.url, groups, 'stats-someone'),
      });
      expect(res.status, groups[0]).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    }
  });
});
