import { describe, expect, it } from 'vitest';
import type { StackCounters } from '../../local/stack.ts';
import type { AgentClient } from '../support/agent.ts';
import { useLocalStack } from '../support/stack.ts';

/** The operations AWS bills, per answered call: callback → offer → accept → interaction created. */
function perCall(counts: StackCounters, calls: number) {
  const requests = counts.sdk.requests;
  const total = (service: string) =>
    Object.values(requests[service] ?? {}).reduce((sum, n) => sum + n, 0) / calls;
  const invocations = Object.values(counts.invocations).reduce((sum, i) => sum + i.count, 0) / calls;
  return {
    dynamoDb: total('DynamoDB'),
    stateTransitions: counts.stateTransitions / calls,
    lambdaInvocations: invocations,
  };
}

describe('paid operations per answered call, counted by the SDK middleware of the local runtime', () => {
  // No sweeps: they are not the calls' operations. Two execution environments, as `npm start` runs on
  // this machine: the counts are the sum of both, which the lower bounds hold.
  const ctx = useLocalStack({ sweepIntervalSeconds: 3600, lambdaEnvironments: 2 });

  /** Calls placed at once, each answered by the agent offered it, until every interaction is created. */
  async function answer(agents: AgentClient[], calls: number) {
    await ctx.stack.counters(true);
    const callIds = await Promise.all(
      Array.from({ length: calls }, () => ctx.ccaas.newCall({ queue: 'counted' })),
    );
    await Promise.all(
      callIds.map(async (callId) => {
        const offer = await Promise.any(
          agents.map((a) => a.waitFor((m) => m.type === 'offer' && m.callId === callId, 20_000)),
        );
        const agent = agents.find((a) => a.messages.includes(offer)) as AgentClient;
        await agent.request({ action: 'accept', offerId: offer.offerId }, 20_000);
        await agent.waitFor((m) => m.type === 'interactionCreated' && m.callId === callId, 20_000);
      }),
    );
    await ctx.stack.eventsSettled();
    return perCall(await ctx.stack.counters(), calls);
  }

  it('answers a call with at most 16 DynamoDB requests and 2 state transitions, and 20 at once within 25% of that', async () => {
    const agents = await Promise.all(
      Array.from({ length: 21 }, async (_, i) =>
        (await ctx.agent(`counted-${i}`, { queues: ['counted'] })).online(),
      ),
    );

    const one = await answer(agents, 1);
    const twenty = await answer(agents, 20);

    // Counted, not zero: a counter that stopped counting would pass an upper bound alone.
    expect(one.dynamoDb).toBeGreaterThanOrEqual(12);
    expect(one.dynamoDb).toBeLessThanOrEqual(16);
    expect(one.stateTransitions).toBe(2);
    expect(one.lambdaInvocations).toBeGreaterThan(0);
    expect(twenty.dynamoDb).toBeLessThanOrEqual(one.dynamoDb * 1.25);
    // Spread over both environments: one left out of the sum would make it about half.
    expect(twenty.dynamoDb).toBeGreaterThanOrEqual(one.dynamoDb * 0.9);
    expect(twenty.stateTransitions).toBeLessThanOrEqual(one.stateTransitions * 1.25);
    expect(twenty.lambdaInvocations).toBeLessThanOrEqual(one.lambdaInvocations * 1.25);
  }, 120_000);

  it('ends an answered call with at most 12 DynamoDB requests: hang-up and wrap-up read nothing twice', async () => {
    const agent = await (await ctx.agent('counted-ending', { queues: ['ending'] })).online();
    const callId = await ctx.ccaas.newCall({ queue: 'ending' });
    const offer = await agent.waitFor((m) => m.type === 'offer' && m.callId === callId, 20_000);
    await agent.request({ action: 'accept', offerId: offer.offerId }, 20_000);
    await agent.waitFor((m) => m.type === 'interactionCreated' && m.callId === callId, 20_000);
    await ctx.stack.eventsSettled();

    await ctx.stack.counters(true);
    await agent.request({ action: 'hangup', callId }, 20_000);
    await agent.request({ action: 'wrapUp', callId, disposition: 'resolved' }, 20_000);
    await ctx.stack.eventsSettled();
    const { requests } = (await ctx.stack.counters()).sdk;

    // Hang-up: the call read once, ended; the agent to wrap-up; the interaction written without a read.
    // Wrap-up: agent and call read, disposition, interaction, agent available, the queue looked at.
    const dynamoDb = Object.values(requests.DynamoDB ?? {}).reduce((sum, n) => sum + n, 0);
    expect(dynamoDb).toBeGreaterThanOrEqual(10);
    expect(dynamoDb).toBeLessThanOrEqual(12);
    expect(requests.DynamoDB?.UpdateItem).toBe(2);
    expect(requests.DynamoDB?.GetItem).toBe(4);
  }, 60_000);
});
