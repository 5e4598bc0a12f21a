import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.ts';
import { AgentClient } from './agent.ts';
import { ccaasClient, getJson } from './ccaas.ts';

/** Starts the local runtime for one test file (on a free port) and stops it after. */
export function useLocalStack(options: LocalStackOptions = {}) {
  const ctx = {} as {
    stack: LocalStack;
    ccaas: ReturnType<typeof ccaasClient>;
    agents: AgentClient[];
    agent(agentId: string, profile?: Parameters<typeof AgentClient.register>[3]): Promise<AgentClient>;
    errors: string[];
    /** GET /v1/calls/{callId}. */
    call(callId: string): Promise<Record<string, any>>;
    /** The agent as GET /v1/agents lists it. */
    agentView(agentId: string): Promise<Record<string, any>>;
    agentStatus(agentId: string): Promise<string | undefined>;
    /** The fault switch: the interaction store (CRM) up or down. */
    setInteractionStore(state: 'up' | 'down'): Promise<void>;
    /** Details of the events of one type published for one call. */
    published(callId: string, type: string): Record<string, unknown>[];
    /** An agent of its own queue, online, with a call it has accepted and is connected to. */
    connectedCall(agentId: string, queue: string): Promise<{ agent: AgentClient; callId: string }>;
  };
  ctx.call = async (callId) => (await getJson(`${ctx.stack.url}/v1/calls/${callId}`)).body;
  ctx.agentView = async (agentId) =>
    (await getJson(`${ctx.stack.url}/v1/agents?limit=1000`)).body.agents.find(
      (a: { agentId: string }) => a.agentId === agentId,
    );
  ctx.agentStatus = async (agentId) => (await ctx.agentView(agentId))?.status;
  ctx.setInteractionStore = async (state) => {
    const res = await fetch(`${ctx.stack.url}/dev/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ interactionStore: state }),
    });
    expect(res.status).toBe(200);
  };
  ctx.published = (callId, type) =>
    ctx.stack.published
      .filter((e) => e['detail-type'] === type && e.detail.callId === callId)
      .map((e) => e.detail);
  ctx.connectedCall = async (agentId, queue) => {
    const agent = await (await ctx.agent(agentId, { queues: [queue] })).online();
    const callId = await ctx.ccaas.newCall({ queue });
    const offer = await agent.next('offer');
    expect(await agent.request({ action: 'accept', offerId: offer.offerId })).toMatchObject({ type: 'ack' });
    await agent.waitFor((m) => m.type === 'callState' && m.state === 'connected');
    return { agent, callId };
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
    // Shutting down loses nothing either: the work under way finishes first.
    expect(ctx.errors).toEqual([]);
  }, 30_000);
  return ctx;
}
