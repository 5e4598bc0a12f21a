import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  type AgentClient,
  type AgentClientError,
  type AgentClientEvents,
  type AgentClientOptions,
  backoffDelay,
  type ConnectionState,
  createAgentClient,
  type SocketLike,
} from '../../client/agent-client.ts';
import type { ServerMessageOf } from '../../functions/core/messages.ts';

type Frame = { action: string; requestId: string; [field: string]: unknown };

/** A socket the test plays the server of: it opens, answers, and drops when told. */
class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: Frame[] = [];
  closedWith?: number;
  private readonly listeners = new Map<string, ((event: any) => void)[]>();

  constructor(readonly url: string) {}

  addEventListener(type: string, listener: (event: any) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(data) as Frame);
  }

  close(code?: number): void {
    this.closedWith = code;
    this.drop(code ?? 1005);
  }

  open(): void {
    this.readyState = 1;
    this.fire('open', {});
  }

  push(message: Record<string, unknown>): void {
    this.fire('message', { data: JSON.stringify(message) });
  }

  /** Answers the last frame sent for `action` with `message` (an `ack` by default). */
  answer(action: string, message: Record<string, unknown> = { type: 'ack', action }): void {
    const frame = this.sent.findLast((f) => f.action === action);
    if (!frame) throw new Error(`nothing sent for ${action}`);
    this.push({ ...message, requestId: frame.requestId });
  }

  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.fire('close', { code, reason });
  }

  private fire(type: string, event: unknown): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
}

const snapshot = {
  type: 'snapshot',
  agent: { agentId: 'a1', name: 'A', status: 'offline', statusSince: '2025-01-01T00:00:00Z', queues: ['q'] },
  calls: [],
};

/** A client over fake sockets, with every event it emits recorded in order. */
function world(options: Partial<AgentClientOptions> = {}) {
  const sockets: FakeSocket[] = [];
  let tokens = 0;
  const client = createAgentClient({
    url: 'wss://agents.example.com/live?stage=test',
    token: () => `token-${++tokens}`,
    WebSocket: class extends FakeSocket {
      constructor(url: string) {
        super(url);
        sockets.push(this);
      }
    },
    ...options,
  });
  const events: { event: keyof AgentClientEvents; payload: unknown }[] = [];
  for (const event of ['snapshot', 'offer', 'callState', 'error', 'connection'] as const) {
    client.on(event, (payload) => events.push({ event, payload }));
  }
  const socket = (index = sockets.length - 1) => {
    const found = sockets[index];
    if (!found) throw new Error(`no socket ${index}`);
    return found;
  };
  const states = () =>
    events.filter((e) => e.event === 'connection').map((e) => (e.payload as ConnectionState).state);
  const delays = () =>
    events
      .map((e) => e.payload as ConnectionState)
      .filter((s): s is Extract<ConnectionState, { state: 'reconnecting' }> => s.state === 'reconnecting')
      .map((s) => s.delayMs);
  /** Opens the newest socket and answers its sync, as the server does. */
  const online = () => {
    socket().open();
    socket().answer('sync', snapshot);
  };
  return { client, sockets, socket, events, states, delays, online, tokensAsked: () => tokens };
}

/** Lets the token getter's promise and the first connect run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe('the agent client, against a fake socket', () => {
  const clients: AgentClient[] = [];
  const make = (options: Partial<AgentClientOptions> = {}) => {
    const w = world(options);
    clients.push(w.client);
    return w;
  };

  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('connects with a token from the getter, syncs once open and emits the snapshot', async () => {
    const w = make();
    await settle();

    expect(w.sockets).toHaveLength(1);
    const url = new URL(w.socket().url);
    expect(url.searchParams.get('token')).toBe('token-1');
    expect(url.searchParams.get('stage')).toBe('test');
    w.socket().open();
    expect(w.socket().sent).toEqual([{ action: 'sync', requestId: expect.any(String) }]);
    w.socket().answer('sync', snapshot);

    expect(w.states()).toEqual(['connecting', 'open']);
    expect(w.events.filter((e) => e.event === 'snapshot').map((e) => e.payload)).toEqual([
      { ...snapshot, requestId: w.socket().sent[0]?.requestId },
    ]);
    expect(w.client.state).toEqual({ state: 'open' });
  });

  it('settles each action by its requestId, whatever the order of the answers', async () => {
    const w = make();
    await settle();
    w.online();

    const accepted = w.client.accept({ offerId: 'offer-1' });
    const rejected = w.client.reject({ offerId: 'offer-2', reason: 'busy' });
    expect(w.socket().sent.slice(1)).toEqual([
      { action: 'accept', offerId: 'offer-1', requestId: expect.any(String) },
      { action: 'reject', offerId: 'offer-2', reason: 'busy', requestId: expect.any(String) },
    ]);
    w.socket().answer('reject');
    w.socket().answer('accept', { type: 'error', code: 'OFFER_CLOSED', message: 'offer offer-1 is missed' });

    await expect(rejected).resolves.toEqual({
      type: 'ack',
      action: 'reject',
      requestId: w.socket().sent[2]?.requestId,
    });
    const refusal = await accepted.catch((err: AgentClientError) => err);
    expect(refusal).toMatchObject({
      name: 'AgentClientError',
      code: 'OFFER_CLOSED',
      message: 'offer offer-1 is missed',
      requestId: w.socket().sent[1]?.requestId,
    });
    expect(w.events.filter((e) => e.event === 'error')).toEqual([]);
  });

  it('answers sync and openInteraction with their own messages, which are events as well', async () => {
    const w = make();
    await settle();
    w.online();

    const opened = w.client.openInteraction({ callId: 'call-1' });
    const created = { type: 'interactionCreated', callId: 'call-1', interactionId: 'int-1' };
    w.socket().answer('openInteraction', created);
    const synced = w.client.sync();
    w.socket().answer('sync', snapshot);

    expect(await opened).toMatchObject(created);
    expect(await synced).toMatchObject(snapshot);
    expect(w.events.filter((e) => e.event === 'snapshot')).toHaveLength(2);
  });

  it('emits the pushes by type, an unawaited error as an error event, and stops at unsubscribe', async () => {
    const w = make();
    await settle();
    w.online();
    const offers: string[] = [];
    const stop = w.client.on('offer', (offer) => offers.push(offer.offerId));
    const offer = { type: 'offer', offerId: 'o1', callId: 'c1', from: '+1555', queue: 'q', expiresAt: 'x' };

    w.socket().push(offer);
    stop();
    w.socket().push({ ...offer, offerId: 'o2' });
    w.socket().push({ type: 'error', code: 'INTERNAL', message: 'boom (req-1)' });
    w.socket().push({ type: 'somethingNew', at: 1 });
    w.socket().push({ type: 'callState', callId: 'c1', state: 'connected', from: '+1', queue: 'q' });

    expect(offers).toEqual(['o1']);
    expect(w.events.map((e) => e.event).slice(-4)).toEqual(['offer', 'offer', 'error', 'callState']);
    expect(w.events.find((e) => e.event === 'error')?.payload).toMatchObject({
      code: 'INTERNAL',
      message: 'boom (req-1)',
    });
  });

  it('holds an action until a socket is open, through a failed connect, then sends it before the sync', async () => {
    const w = make();
    const status = w.client.setStatus({ status: 'available' });
    await settle();
    w.socket().drop(); // refused before it opened

    await vi.advanceTimersByTimeAsync(w.delays()[0] as number);
    w.socket().open();
    expect(w.sockets).toHaveLength(2);
    expect(w.socket(0).sent).toEqual([]);
    expect(w.socket().sent.map((f) => f.action)).toEqual(['setStatus', 'sync']);
    w.socket().answer('setStatus');
    await expect(status).resolves.toMatchObject({ type: 'ack', action: 'setStatus' });
  });

  it('rejects with TIMEOUT when no answer comes in time, and with CONNECTION_LOST when the socket goes first', async () => {
    const w = make({ requestTimeoutMs: 2_000 });
    await settle();
    w.online();

    const unanswered = w.client.hold({ callId: 'c1' }).catch((err: AgentClientError) => err.code);
    await vi.advanceTimersByTimeAsync(1_999);
    const cutOff = w.client.mute({ callId: 'c1' }).catch((err: AgentClientError) => err.code);
    await vi.advanceTimersByTimeAsync(1);
    expect(await unanswered).toBe('TIMEOUT');
    w.socket().drop();
    expect(await cutOff).toBe('CONNECTION_LOST');
  });

  it('reconnects after a loss with a fresh token, backing off up to the cap, and starts over after a snapshot', async () => {
    // The top of each delay's jitter, so the delays are exact (the jitter itself: the next test).
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const w = make({ backoff: { initialMs: 1_000, maxMs: 4_000 } });
    await settle();
    w.online();

    w.socket().drop(1000, 'token expired');
    expect(w.client.state).toEqual({
      state: 'reconnecting',
      attempt: 1,
      delayMs: 1_000,
      code: 1000,
      reason: 'token expired',
    });
    // Each attempt fails before it opens (a refused upgrade, a network down): the delay doubles to the cap.
    for (let failures = 1; failures <= 4; failures += 1) {
      const delay = w.delays().at(-1) as number;
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(w.sockets).toHaveLength(failures);
      await vi.advanceTimersByTimeAsync(1);
      expect(w.sockets).toHaveLength(failures + 1);
      expect(new URL(w.socket().url).searchParams.get('token')).toBe(`token-${failures + 1}`);
      w.socket().drop();
    }
    await vi.advanceTimersByTimeAsync(w.delays().at(-1) as number);
    w.online();
    w.socket().drop();

    expect(w.delays()).toEqual([1_000, 2_000, 4_000, 4_000, 4_000, 1_000]);
    expect(w.states().filter((s) => s === 'open')).toHaveLength(2);
  });

  it('spreads the backoff over the upper half of each doubled delay, capped', () => {
    const random = vi.spyOn(Math, 'random');
    const delays = () => [0, 1, 2, 3, 6].map((n) => backoffDelay(n, { initialMs: 100, maxMs: 1_000 }));
    random.mockReturnValue(0);
    expect(delays()).toEqual([50, 100, 200, 400, 500]);
    random.mockReturnValue(1);
    expect(delays()).toEqual([100, 200, 400, 800, 1_000]);
  });

  it('counts a token getter that fails as a failed connect, and asks it again', async () => {
    let calls = 0;
    const w = make({
      token: () => {
        calls += 1;
        if (calls === 1) throw new Error('sign-in service down');
        return 'fresh';
      },
    });
    await settle();
    expect(w.sockets).toHaveLength(0);
    expect(w.client.state).toMatchObject({ state: 'reconnecting', reason: 'sign-in service down' });

    await vi.advanceTimersByTimeAsync(w.delays()[0] as number);
    expect(new URL(w.socket().url).searchParams.get('token')).toBe('fresh');
  });

  it('sends a sync as keep-alive when nothing was sent for keepAliveMs, and not while actions keep it busy', async () => {
    const w = make({ keepAliveMs: 60_000 });
    await settle();
    w.online();
    const syncs = () => w.socket().sent.filter((f) => f.action === 'sync').length;

    await vi.advanceTimersByTimeAsync(50_000);
    w.client.setStatus({ status: 'away' });
    w.socket().answer('setStatus');
    await vi.advanceTimersByTimeAsync(59_999);
    expect(syncs()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(syncs()).toBe(2);
    w.socket().answer('sync', snapshot);
    expect(w.events.filter((e) => e.event === 'snapshot')).toHaveLength(2);
  });

  it('closes for good: the socket with 1000, no reconnect, and every action rejected with CLOSED', async () => {
    const w = make();
    await settle();
    w.online();
    const unanswered = w.client
      .wrapUp({ callId: 'c1', disposition: 'sold' })
      .catch((e: AgentClientError) => e.code);

    await w.client.close();

    expect(await unanswered).toBe('CLOSED');
    expect(w.socket().closedWith).toBe(1000);
    expect(w.client.state).toEqual({ state: 'closed' });
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(w.sockets).toHaveLength(1);
    await expect(w.client.sync()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('stays closed when closed while waiting to reconnect', async () => {
    const w = make();
    await settle();
    w.online();
    w.socket().drop();
    expect(w.client.state.state).toBe('reconnecting');

    await w.client.close();
    await vi.advanceTimersByTimeAsync(10 * 60_000);

    expect(w.sockets).toHaveLength(1);
    expect(w.tokensAsked()).toBe(1);
    expect(w.states().at(-1)).toBe('closed');
  });

  it('types each action with its schema’s fields and its answer', () => {
    const client = {} as AgentClient;
    expectTypeOf(client.sync).returns.resolves.toEqualTypeOf<ServerMessageOf<'snapshot'>>();
    expectTypeOf(client.openInteraction).returns.resolves.toEqualTypeOf<
      ServerMessageOf<'interactionCreated' | 'interactionPending'>
    >();
    expectTypeOf(client.accept).returns.resolves.toEqualTypeOf<ServerMessageOf<'ack'>>();
    expectTypeOf(client.setStatus).parameter(0).toEqualTypeOf<{ status: 'available' | 'away' | 'offline' }>();
    expectTypeOf(client.transfer).parameter(0).toEqualTypeOf<{
      callId: string;
      queue?: string | undefined;
      agentId?: string | undefined;
    }>();
    expectTypeOf(client.sync).parameter(0).toEqualTypeOf<Record<never, never> | undefined>();
  });
});
