import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  type AgentClient,
  type AgentClientError,
  type AgentClientEvents,
  type AgentClientOptions,
  createAgentClient,
} from '../../client/agent-client.ts';
import { SERVER_MESSAGE_TYPES } from '../../functions/core/vocabulary.ts';
import { eventually } from '../support/poll.ts';
import { useLocalStack } from '../support/stack.ts';
import { tokenFor } from '../support/tokens.ts';

type Recorded = {
  [E in keyof AgentClientEvents]: { event: E; payload: AgentClientEvents[E] };
}[keyof AgentClientEvents];

describe('the typed agent client, against the local runtime', () => {
  const ctx = useLocalStack({ offerTimeoutSeconds: 15 });
  const clients: AgentClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  /**
   * An agent's client over a real socket (Node 20 has no global WebSocket: `ws`'s), every event recorded;
   * the agent is registered first in `queue`, when one is given.
   */
  async function agentClient(agentId: string, queue?: string, options: Partial<AgentClientOptions> = {}) {
    if (queue) await ctx.agent(agentId, { queues: [queue] });
    const client = createAgentClient({
      url: ctx.stack.wsUrl,
      token: () => tokenFor(ctx.stack.url, agentId),
      WebSocket,
      ...options,
    });
    clients.push(client);
    const events: Recorded[] = [];
    for (const event of [...SERVER_MESSAGE_TYPES.filter((t) => t !== 'ack'), 'connection'] as const) {
      client.on(event, (payload) => {
        events.push({ event, payload } as Recorded);
      });
    }
    /** The first event of this name that matches, from the `from`th event on. */
    const next = <E extends keyof AgentClientEvents>(
      event: E,
      match: (payload: AgentClientEvents[E]) => boolean = () => true,
      from = 0,
    ) =>
      eventually(
        () =>
          events.slice(from).find((e) => e.event === event && match(e.payload as AgentClientEvents[E]))
            ?.payload as AgentClientEvents[E] | undefined,
        { what: `${event} for ${agentId}` },
      );
    return { client, events, next };
  }

  it('connects with a token, syncs on open and emits the snapshot, and keeps the socket alive with sync', async () => {
    const { client, events, next } = await agentClient('cl-open', 'cl-open', { keepAliveMs: 200 });

    const snapshot = await next('snapshot');
    expect(snapshot.agent).toMatchObject({ agentId: 'cl-open', queues: ['cl-open'], status: 'offline' });
    expect(snapshot.calls).toEqual([]);
    expect(client.state).toEqual({ state: 'open' });
    expect(events.filter((e) => e.event === 'connection').map((e) => e.payload)).toEqual([
      { state: 'connecting', attempt: 1 },
      { state: 'open' },
    ]);
    // Nothing asked for them: the keep-alive syncs did, and the server answered each.
    await eventually(() => events.filter((e) => e.event === 'snapshot').length >= 3, { what: 'keep-alive' });
  });

  it('offers a call as a typed event; accept resolves, then callState connected and interactionCreated arrive', async () => {
    const { client, next } = await agentClient('cl-accept', 'cl-accept');
    await next('snapshot');

    expect(await client.setStatus({ status: 'available' })).toMatchObject({
      type: 'ack',
      action: 'setStatus',
    });
    const callId = await ctx.ccaas.newCall({ queue: 'cl-accept', from: '+15550001111' });
    const offer = await next('offer');
    expect(offer).toMatchObject({ callId, from: '+15550001111', queue: 'cl-accept' });

    expect(await client.accept({ offerId: offer.offerId })).toMatchObject({ type: 'ack', action: 'accept' });
    expect(await next('callState', (s) => s.state === 'connected')).toMatchObject({ callId, muted: false });
    const created = await next('interactionCreated');
    expect(created.callId).toBe(callId);

    expect(await client.mute({ callId })).toMatchObject({ type: 'ack', action: 'mute' });
    await next('callState', (s) => s.muted);
    const synced = await client.sync();
    expect(synced.calls).toEqual([
      expect.objectContaining({
        callId,
        state: 'connected',
        muted: true,
        interactionId: created.interactionId,
      }),
    ]);
  });

  it('resolves a reject, and the call goes to the next agent', async () => {
    const one = await agentClient('cl-rej-1', 'cl-rej');
    const two = await agentClient('cl-rej-2', 'cl-rej');
    await Promise.all([one, two].map((a) => a.next('snapshot')));
    await one.client.setStatus({ status: 'available' });
    await two.client.setStatus({ status: 'available' });

    const callId = await ctx.ccaas.newCall({ queue: 'cl-rej' });
    const offered = await eventually(() => [one, two].find((a) => a.events.some((e) => e.event === 'offer')));
    const other = offered === one ? two : one;
    const offer = await offered.next('offer');

    expect(await offered.client.reject({ offerId: offer.offerId, reason: 'busy' })).toMatchObject({
      type: 'ack',
      action: 'reject',
    });
    expect(await other.next('offer')).toMatchObject({ callId });
  });

  it('rejects an action the server refuses with its code and message', async () => {
    const { client, next, events } = await agentClient('cl-refused', 'cl-refused');
    await next('snapshot');

    const unknown = await client
      .accept({ offerId: 'offer-nobody-made' })
      .catch((err: AgentClientError) => err);
    expect(unknown).toMatchObject({
      name: 'AgentClientError',
      code: 'NOT_FOUND',
      message: expect.any(String),
    });
    // Both or neither of queue and agentId: the schema's own check, which its type cannot say.
    const invalid = await client.transfer({ callId: 'call-x' }).catch((err: AgentClientError) => err);
    expect(invalid).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('exactly one'),
    });
    expect(events.filter((e) => e.event === 'error')).toEqual([]);
  });

  it('reconnects with a fresh token when the server closes the socket at its expiry, and finds the live call', async () => {
    const { agent, callId } = await ctx.connectedCall('cl-expiry', 'cl-expiry');
    let tokens = 0;
    const { client, events, next } = await agentClient('cl-expiry', undefined, {
      // The first token outlives its socket by two seconds; the sweep (every second here) then closes it.
      token: () => tokenFor(ctx.stack.url, 'cl-expiry', undefined, ++tokens === 1 ? 2 : undefined),
      backoff: { initialMs: 100 },
    });
    expect((await next('snapshot')).calls).toEqual([expect.objectContaining({ callId, state: 'connected' })]);

    const dropped = await next('connection', (c) => c.state === 'reconnecting');
    expect(dropped).toMatchObject({ code: 1000, attempt: 1 });
    const since = events.findIndex((e) => e.payload === dropped);
    await next('connection', (c) => c.state === 'open', since);
    const after = await next('snapshot', () => true, since);
    expect(after.calls).toEqual([expect.objectContaining({ callId, state: 'connected' })]);
    expect(tokens).toBe(2);
    expect(await client.hold({ callId })).toMatchObject({ type: 'ack', action: 'hold' });
    await agent.waitFor((m) => m.type === 'callState' && m.held === true);
  });

  it('keeps trying with backoff while the server refuses the socket, asking for a token each time', async () => {
    let tokens = 0;
    const client = createAgentClient({
      url: ctx.stack.wsUrl,
      token: () => {
        tokens += 1;
        return tokenFor(ctx.stack.url, 'cl-never-registered');
      },
      WebSocket,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    clients.push(client);

    await eventually(() => tokens >= 3, { what: 'three connects' });
    expect(client.state.state).not.toBe('open');
  });

  it('closes for good: the server forgets the socket and every later action rejects with CLOSED', async () => {
    const { client, next } = await agentClient('cl-close', 'cl-close');
    await next('snapshot');
    await eventually(async () => (await ctx.agentView('cl-close'))?.connected === true);

    await client.close();

    expect(client.state).toEqual({ state: 'closed' });
    await eventually(async () => (await ctx.agentView('cl-close'))?.connected === false, {
      what: 'the socket closed on the server',
    });
    await expect(client.setStatus({ status: 'available' })).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
