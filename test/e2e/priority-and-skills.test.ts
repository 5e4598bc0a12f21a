import { describe, expect, it } from 'vitest';
import { callIdFor } from '../../functions/core/call.ts';
import type { AgentClient } from '../support/agent.ts';
import { getJson } from '../support/ccaas.ts';
import { eventually } from '../support/poll.ts';
import { useLocalStack } from '../support/stack.ts';
import { staffFetch } from '../support/tokens.ts';

/** Each test routes in its own queue, so the agents of one test never see another's calls. */
describe('routing by priority, arrival and skills', () => {
  const ctx = useLocalStack({ offerTimeoutSeconds: 15 });

  const waits = (callId: string) =>
    eventually(async () => (await ctx.call(callId)).waiting, { what: `call ${callId} to wait` });

  /** Calls received one after the other, each waiting before the next comes. */
  async function waitingCalls(queue: string, calls: Parameters<typeof ctx.ccaas.newCall>[0][]) {
    const ids: string[] = [];
    for (const call of calls) {
      const callId = await ctx.ccaas.newCall({ queue, ...call });
      await waits(callId);
      ids.push(callId);
    }
    return ids;
  }

  /** The calls the agent is offered, declining each so that the next comes. */
  async function offeredInTurn(agent: AgentClient, count: number): Promise<string[]> {
    const offered: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const offer = await agent.next('offer');
      offered.push(offer.callId);
      expect(await agent.request({ action: 'reject', offerId: offer.offerId })).toMatchObject({
        type: 'ack',
      });
    }
    return offered;
  }

  it('offers the calls of a queue in arrival order to the agent who becomes available', async () => {
    const calls = await waitingCalls('fifo', [{}, {}, {}]);

    const agent = await (await ctx.agent('fifo-a', { queues: ['fifo'] })).online();

    expect(await offeredInTurn(agent, 3)).toEqual(calls);
  });

  it('offers a call of higher priority first, though it arrived last', async () => {
    const [first, second, urgent] = await waitingCalls('prio', [{}, {}, { priority: 5 }]);

    const agent = await (await ctx.agent('prio-a', { queues: ['prio'] })).online();

    expect(await offeredInTurn(agent, 3)).toEqual([urgent, first, second]);
    expect(await ctx.call(urgent as string)).toMatchObject({ priority: 5, requiredSkills: [] });
  });

  it('offers a call needing a skill to the longest-idle agent holding it, past longer-idle agents without', async () => {
    const plain = await (await ctx.agent('skill-plain', { queues: ['skill'] })).online();
    const beginner = await (
      await ctx.agent('skill-beginner', { queues: ['skill'], skills: [{ skill: 'spanish', level: 1 }] })
    ).online();
    const fluent = await (
      await ctx.agent('skill-fluent', { queues: ['skill'], skills: [{ skill: 'spanish', level: 4 }] })
    ).online();

    const callId = await ctx.ccaas.newCall({
      queue: 'skill',
      requiredSkills: [{ skill: 'spanish', minLevel: 2 }],
    });

    expect(await fluent.next('offer')).toMatchObject({ callId, priority: 0 });
    expect([...plain.received('offer'), ...beginner.received('offer')]).toEqual([]);
    expect((await ctx.agentView('skill-fluent')).skills).toEqual([{ skill: 'spanish', level: 4 }]);
  });

  it('gives a freed agent the plain call behind one needing a skill it lacks; that one waits for a skilled agent', async () => {
    const [spanishCall, plainCall] = await waitingCalls('hol', [
      { requiredSkills: [{ skill: 'spanish' }] },
      {},
    ]);

    const plain = await (await ctx.agent('hol-plain', { queues: ['hol'] })).online();
    expect(await plain.next('offer')).toMatchObject({ callId: plainCall });
    expect((await ctx.call(spanishCall as string)).waiting).toBeDefined();

    const fluent = await (
      await ctx.agent('hol-fluent', { queues: ['hol'], skills: [{ skill: 'spanish', level: 1 }] })
    ).online();
    expect(await fluent.next('offer')).toMatchObject({ callId: spanishCall });
    expect(plain.received('offer')).toHaveLength(1);
  });

  it('offers a waiting call to an available agent the moment an admin gives it the skill the call needs', async () => {
    const [callId] = await waitingCalls('upskill', [{ requiredSkills: [{ skill: 'french' }] }]);
    const agent = await (await ctx.agent('upskill-a', { queues: ['upskill'] })).online();
    expect((await ctx.call(callId as string)).waiting).toBeDefined();

    const res = await staffFetch(`${ctx.stack.url}/v1/agents/upskill-a`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'upskill-a',
        queues: ['upskill'],
        skills: [{ skill: 'french', level: 3 }],
      }),
    });

    expect(res.status).toBe(200);
    expect(await agent.next('offer')).toMatchObject({ callId });
  });

  it.each([
    ['a priority above 10', { priority: 11 }],
    ['a negative priority', { priority: -1 }],
    ['a fractional priority', { priority: 1.5 }],
    ['a priority as text', { priority: 'high' }],
    ['a skill name with a space', { requiredSkills: [{ skill: 'span ish' }] }],
    ['a minimum level above 5', { requiredSkills: [{ skill: 'spanish', minLevel: 6 }] }],
    ['a skill as a bare string', { requiredSkills: ['spanish'] }],
    [
      'eleven required skills',
      { requiredSkills: Array.from({ length: 11 }, (_, i) => ({ skill: `s${i}` })) },
    ],
    ['an unknown field in a skill', { requiredSkills: [{ skill: 'spanish', level: 2 }] }],
  ])('refuses a call with %s (422) and stores nothing', async (_, extra) => {
    const ccaasCallId = `bad-${Math.random().toString(36).slice(2)}`;
    const res = await ctx.ccaas.post('/v1/calls', {
      ccaasCallId,
      from: '+15551230000',
      to: '+15559870000',
      queue: 'bad',
      ...extra,
    });

    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect((await getJson(`${ctx.stack.url}/v1/calls/${callIdFor(ccaasCallId)}`)).status).toBe(404);
  });

  it.each([
    ['a level of 0', [{ skill: 'spanish', level: 0 }]],
    ['a level above 5', [{ skill: 'spanish', level: 6 }]],
    ['a skill without a level', [{ skill: 'spanish' }]],
    [
      'a skill twice',
      [
        { skill: 'spanish', level: 2 },
        { skill: 'spanish', level: 3 },
      ],
    ],
    ['a skill name with a slash', [{ skill: 'a/b', level: 2 }]],
  ])('refuses agent skills with %s (422) and changes nothing', async (_, skills) => {
    const put = (agentId: string, body: Record<string, unknown>) =>
      staffFetch(`${ctx.stack.url}/v1/agents/${agentId}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: agentId, queues: ['bad'], ...body }),
      });
    const agentId = `bad-${Math.random().toString(36).slice(2)}`;

    const refused = await put(agentId, { skills });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    expect((await getJson(`${ctx.stack.url}/v1/agents/${agentId}`)).status).toBe(404);

    const held = [{ skill: 'billing', level: 2 }];
    expect((await put(agentId, { skills: held })).status).toBe(201);
    expect((await put(agentId, { skills })).status).toBe(422);
    expect((await getJson(`${ctx.stack.url}/v1/agents/${agentId}`)).body.skills).toEqual(held);
  });
});
