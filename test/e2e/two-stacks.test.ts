import { describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { AgentClient } from '../support/agent.ts';
import { ccaasClient } from '../support/ccaas.ts';
import { staffFetch } from '../support/tokens.ts';

/** One call through a stack: offered to its own agent, accepted, connected. */
async function answerOneCall(stack: LocalStack, agentId: string): Promise<void> {
  const agent = await (await AgentClient.register(stack.url, stack.wsUrl, agentId)).online();
  try {
    const callId = await ccaasClient(stack.url, stack.webhookSecret).newCall();
    const offer = await agent.next('offer');
    expect(offer.callId).toBe(callId);
    expect(await agent.request({ action: 'accept', offerId: offer.offerId })).toMatchObject({ type: 'ack' });
    await agent.waitFor((m) => m.type === 'callState' && m.state === 'connected');
  } finally {
    await agent.close();
  }
}

describe('several local stacks in one process (the benchmark runs six in a row)', () => {
  it('serves calls on a second stack started after the first one closed', async () => {
    const errors: string[] = [];
    const options = {
      port: 0,
      onError: (message: string, error: unknown) => errors.push(`${message}: ${String(error)}`),
    };
    const first = await startLocalStack(options);
    await answerOneCall(first, 'first-stack-agent');
    await first.close();

    const second = await startLocalStack(options);
    try {
      await answerOneCall(second, 'second-stack-agent');
    } finally {
      await second.close();
    }
    expect(errors).toEqual([]);
  });

  it('keeps two stacks running at once apart: each serves its own calls with its own secret and data', async () => {
    const errors: string[] = [];
    const options = {
      port: 0,
      onError: (message: string, error: unknown) => errors.push(`${message}: ${String(error)}`),
    };
    const [a, b] = await Promise.all([startLocalStack(options), startLocalStack(options)]);
    try {
      expect(a.webhookSecret).not.toBe(b.webhookSecret);
      await Promise.all([answerOneCall(a, 'agent-of-a'), answerOneCall(b, 'agent-of-b')]);
      const agentsOf = async (stack: LocalStack) =>
        (
          (await (await staffFetch(`${stack.url}/v1/agents`)).json()) as { agents: { agentId: string }[] }
        ).agents.map((agent) => agent.agentId);
      expect(await agentsOf(a)).toEqual(['agent-of-a']);
      expect(await agentsOf(b)).toEqual(['agent-of-b']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    expect(errors).toEqual([]);
  });
});
