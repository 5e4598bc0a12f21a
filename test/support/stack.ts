import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.ts';
import { AgentClient } from './agent.ts';
import { ccaasClient } from './ccaas.ts';

/** Starts the local runtime for one test file (on a free port) and stops it after. */
export function useLocalStack(options: LocalStackOptions = {}) {
  const ctx = {} as {
    stack: LocalStack;
    ccaas: ReturnType<typeof ccaasClient>;
    agents: AgentClient[];
    agent(agentId: string, profile?: Parameters<typeof AgentClient.register>[3]): Promise<AgentClient>;
    errors: string[];
  };
  ctx.errors = [];
  ctx.agents = [];
  beforeAll(async () => {
    ctx.stack = await startLocalStack({
      port: 0,
      sweepIntervalSeconds: 1,
      onError: (message, error) => ctx.errors.push(`${message}: ${String(error)}`),
      ...options,
    });
    ctx.ccaas = ccaasClient(ctx.stack.url, ctx.stack.webhookSecret);
    ctx.agent = async (agentId, profile) => {
      const agent = await AgentClient.register(ctx.stack.url, ctx.stack.wsUrl, agentId, profile);
      ctx.agents.push(agent);
      return agent;
    };
  }, 30_000);
  // A workflow execution that failed, or a handler that crashed outside its own error handling, is a bug
  // whatever the test asserted.
  afterEach(() => {
    expect(ctx.errors).toEqual([]);
  });
  afterAll(async () => {
    await Promise.all(ctx.agents.map((a) => a.close()));
    await ctx.stack?.close();
  }, 30_000);
  return ctx;
}
