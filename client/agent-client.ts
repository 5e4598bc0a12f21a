/**
 * The agent socket (docs/asyncapi.yaml) as a typed client, for any front end: no UI, no dependency, and
 * nothing but the standard `WebSocket` and `URL` at run time, so it runs in a browser as it is (Node passes
 * a WebSocket class in, e.g. the `ws` package's).
 *
 *   const client = createAgentClient({ url: 'wss://…/live', token: () => signIn() });
 *   const stop = client.on('offer', (offer) => show(offer.offerId, offer.from));
 *   await client.setStatus({ status: 'available' });
 *   await client.accept({ offerId });           // resolves with the ack, rejects with an AgentClientError
 *
 * What the protocol asks of a client, done here once: a fresh token from `token()` on every connect (the
 * server closes a socket once its token has expired); `sync` after every open, whose snapshot is emitted;
 * a reconnect after every loss but `close()`, with capped exponential backoff and jitter; a `sync` as
 * keep-alive whenever nothing was sent for `keepAliveMs` (API Gateway closes a socket idle for 10 minutes);
 * and each action's promise settled by the answer carrying its `requestId`.
 *
 * The types come from the server's own: the fields of each action from the zod schema its handler
 * validates with, the answers and events from `functions/core/messages.ts`, the words from the vocabulary.
 */
import type * as z from 'zod/mini';
import type { ActionAnswer, ServerMessage, ServerMessageOf } from '../functions/core/messages.ts';
import {
  AGENT_ACTIONS,
  type AgentAction,
  type ErrorCode,
  SERVER_MESSAGE_TYPES,
  type ServerMessageType,
} from '../functions/core/vocabulary.ts';
import type { message as Accept } from '../functions/handlers/ws/accept.ts';
import type { message as Hangup } from '../functions/handlers/ws/hangup.ts';
import type { message as Hold } from '../functions/handlers/ws/hold.ts';
import type { message as Mute } from '../functions/handlers/ws/mute.ts';
import type { message as Note } from '../functions/handlers/ws/note.ts';
import type { message as OpenInteraction } from '../functions/handlers/ws/open-interaction.ts';
import type { message as Reject } from '../functions/handlers/ws/reject.ts';
import type { message as Resume } from '../functions/handlers/ws/resume.ts';
import type { message as SetStatus } from '../functions/handlers/ws/set-status.ts';
import type { message as Sync } from '../functions/handlers/ws/sync.ts';
import type { message as Transfer } from '../functions/handlers/ws/transfer.ts';
import type { message as Unmute } from '../functions/handlers/ws/unmute.ts';
import type { message as WrapUp } from '../functions/handlers/ws/wrap-up.ts';

/** `T`, provided it has a key for each of `K` and no other: a new action fails to compile until it is here. */
type Exactly<K extends PropertyKey, T extends Record<K, unknown> & Record<Exclude<keyof T, K>, never>> = T;

/** The schema the server validates each action with. */
type ActionSchemas = Exactly<
  AgentAction,
  {
    setStatus: typeof SetStatus;
    accept: typeof Accept;
    reject: typeof Reject;
    mute: typeof Mute;
    unmute: typeof Unmute;
    hold: typeof Hold;
    resume: typeof Resume;
    hangup: typeof Hangup;
    openInteraction: typeof OpenInteraction;
    transfer: typeof Transfer;
    note: typeof Note;
    wrapUp: typeof WrapUp;
    sync: typeof Sync;
  }
>;

/** The fields of an action, as its schema accepts them (`action` and `requestId` are the client's). */
export type ActionFields<A extends AgentAction> = Omit<z.input<ActionSchemas[A]>, 'action' | 'requestId'>;

/** One method per action, answered by its `ack` or its own message; fields are optional when all are. */
export type AgentActions = {
  [A in AgentAction]: Partial<ActionFields<A>> extends ActionFields<A>
    ? (fields?: ActionFields<A>) => Promise<ActionAnswer<A>>
    : (fields: ActionFields<A>) => Promise<ActionAnswer<A>>;
};

/** Where the connection is. `attempt` counts the connects since the last one that got its snapshot. */
export type ConnectionState =
  | { state: 'connecting'; attempt: number }
  | { state: 'open' }
  | { state: 'reconnecting'; attempt: number; delayMs: number; code?: number; reason?: string }
  | { state: 'closed' };

/** The server's pushes, each under its own type, as the vocabulary names them. */
type PushedType = Exclude<ServerMessageType, 'ack' | 'error'>;

export type AgentClientEvents = { [T in PushedType]: ServerMessageOf<T> } & {
  /** An `error` from the server that answers none of this client's pending actions. */
  error: AgentClientError;
  connection: ConnectionState;
};

/** Refusals of the client itself: no answer in time, the socket lost before the answer, the client closed. */
export const CLIENT_ERROR_CODES = ['TIMEOUT', 'CONNECTION_LOST', 'CLOSED'] as const;
export type AgentClientErrorCode = ErrorCode | (typeof CLIENT_ERROR_CODES)[number];

/** An action refused by the server (its `error` answer) or never answered (a client code). */
export class AgentClientError extends Error {
  override readonly name = 'AgentClientError';
  constructor(
    readonly code: AgentClientErrorCode,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

/** What the client needs of a WebSocket: the standard one, or `ws`'s, has it. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
}
export type SocketConstructor = new (url: string) => SocketLike;

export interface Backoff {
  /** The delay before the first reconnect (1 s); each failed connect in a row doubles it. */
  initialMs?: number;
  /** The cap (30 s). */
  maxMs?: number;
}

export interface AgentClientOptions {
  /** The socket's URL (`ws://127.0.0.1:3000/ws` locally, `wss://{apiId}.execute-api.{region}.amazonaws.com/live`). */
  url: string;
  /** The agent's token, asked for on every connect, so that a reconnect after its expiry gets a fresh one. */
  token: () => string | Promise<string>;
  /** The WebSocket class; the global one by default. */
  WebSocket?: SocketConstructor;
  /** A `sync` is sent when nothing else was for this long (5 minutes; the server needs one within 10). */
  keepAliveMs?: number;
  /** An action unanswered after this long rejects with TIMEOUT (10 s), waiting for a connection included. */
  requestTimeoutMs?: number;
  backoff?: Backoff;
}

export interface AgentClient extends AgentActions {
  readonly state: ConnectionState;
  /** Calls `listener` with every event of this name until the returned function is called. */
  on<E extends keyof AgentClientEvents>(
    event: E,
    listener: (payload: AgentClientEvents[E]) => void,
  ): () => void;
  /** Closes the socket for good: no reconnect; actions not yet answered reject with CLOSED. */
  close(): Promise<void>;
}

const OPEN = 1;
const CLOSED = 3;
const NORMAL_CLOSURE = 1000;

/** An action waiting for its answer; `frame` is dropped once sent. */
interface Pending {
  frame?: string;
  resolve: (answer: ServerMessage) => void;
  reject: (error: AgentClientError) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The delay before the next connect, after `failures` connects in a row that got no snapshot: `initialMs`
 * doubled for each, capped at `maxMs`, then somewhere in its upper half, so that agents cut off together
 * do not all come back at the same moment.
 */
export function backoffDelay(failures: number, { initialMs = 1_000, maxMs = 30_000 }: Backoff = {}): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** failures);
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** The browser's WebSocket (Node 22 has it too; Node 20 has none). */
function globalWebSocket(): SocketConstructor {
  const found = (globalThis as { WebSocket?: SocketConstructor }).WebSocket;
  if (!found) throw new TypeError('no global WebSocket: pass a WebSocket class in the options');
  return found;
}

function isServerMessage(value: unknown): value is ServerMessage {
  const type = value && typeof value === 'object' ? (value as { type?: unknown }).type : undefined;
  return (SERVER_MESSAGE_TYPES as readonly unknown[]).includes(type);
}

export function createAgentClient(options: AgentClientOptions): AgentClient {
  const Socket = options.WebSocket ?? globalWebSocket();
  const keepAliveMs = options.keepAliveMs ?? 5 * 60_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;

  const listeners = new Map<keyof AgentClientEvents, Set<(payload: never) => void>>();
  const pending = new Map<string, Pending>();
  let state: ConnectionState = { state: 'connecting', attempt: 1 };
  let socket: SocketLike | undefined;
  let attempt = 0;
  let lastRequestId = 0;
  let closed = false;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let keepAliveTimer: ReturnType<typeof setTimeout> | undefined;

  function emit<E extends keyof AgentClientEvents>(event: E, payload: AgentClientEvents[E]): void {
    for (const listener of [...(listeners.get(event) ?? [])]) {
      try {
        (listener as (payload: AgentClientEvents[E]) => void)(payload);
      } catch (err) {
        // A listener's bug is reported as uncaught, and neither stops the others nor the client.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  function setState(next: ConnectionState): void {
    state = next;
    emit('connection', next);
  }

  function settle(requestId: string, outcome: ServerMessage | AgentClientError): void {
    const entry = pending.get(requestId);
    if (!entry) return;
    pending.delete(requestId);
    clearTimeout(entry.timer);
    if (outcome instanceof AgentClientError) entry.reject(outcome);
    else entry.resolve(outcome);
  }

  /** Sends a frame on the open socket, and counts it as keep-alive. */
  function transmit(open: SocketLike, frame: string): void {
    open.send(frame);
    clearTimeout(keepAliveTimer);
    keepAliveTimer = setTimeout(syncUnasked, keepAliveMs);
  }

  /**
   * A `sync` of the client's own (after an open, as keep-alive): its snapshot is emitted like any other;
   * a refusal or a silence goes to `error` listeners, a lost socket shows in the connection state.
   */
  function syncUnasked(): void {
    request('sync').catch((err: AgentClientError) => {
      if (err.code !== 'CONNECTION_LOST' && err.code !== 'CLOSED') emit('error', err);
    });
  }

  function flush(): void {
    if (socket?.readyState !== OPEN) return;
    for (const entry of pending.values()) {
      if (entry.frame === undefined) continue;
      transmit(socket, entry.frame);
      delete entry.frame;
    }
  }

  /** Sends the action now if the socket is open, else once one is (after those already waiting). */
  function request<A extends AgentAction>(action: A, fields: object = {}): Promise<ActionAnswer<A>> {
    if (closed) return Promise.reject(new AgentClientError('CLOSED', 'the client is closed'));
    const requestId = String(++lastRequestId);
    return new Promise<ActionAnswer<A>>((resolve, reject) => {
      const timer = setTimeout(
        () => settle(requestId, new AgentClientError('TIMEOUT', `${action}: no answer`, requestId)),
        requestTimeoutMs,
      );
      pending.set(requestId, {
        frame: JSON.stringify({ ...fields, action, requestId }),
        resolve: resolve as (answer: ServerMessage) => void,
        reject,
        timer,
      });
      flush();
    });
  }

  function receive(data: unknown): void {
    let message: unknown;
    try {
      message = JSON.parse(String(data));
    } catch {
      return;
    }
    // A type this client does not know yet (a newer server) is left alone.
    if (!isServerMessage(message)) return;
    const answers = message.requestId !== undefined && pending.has(message.requestId);
    if (message.type === 'error') {
      const error = new AgentClientError(message.code, message.message, message.requestId);
      if (answers) settle(error.requestId as string, error);
      else emit('error', error);
      return;
    }
    if (answers) settle(message.requestId as string, message);
    if (message.type === 'snapshot') attempt = 0; // this connection works: the next loss starts the backoff over
    if (message.type !== 'ack') emit(message.type, message as AgentClientEvents[typeof message.type]);
  }

  /** The socket is gone: its actions cannot be answered any more, and another one is tried after a while. */
  function lost(code?: number, reason?: string): void {
    socket = undefined;
    clearTimeout(keepAliveTimer);
    for (const [requestId, entry] of pending) {
      if (entry.frame !== undefined) continue; // not sent yet: it waits for the next socket
      settle(
        requestId,
        new AgentClientError('CONNECTION_LOST', 'the socket closed before the answer', requestId),
      );
    }
    if (closed) return;
    const delayMs = backoffDelay(attempt, options.backoff);
    setState({
      state: 'reconnecting',
      attempt: attempt + 1,
      delayMs,
      ...(code !== undefined ? { code } : {}),
      ...(reason ? { reason } : {}),
    });
    reconnectTimer = setTimeout(connect, delayMs);
  }

  async function connect(): Promise<void> {
    if (closed) return;
    attempt += 1;
    setState({ state: 'connecting', attempt });
    let current: SocketLike;
    try {
      const url = new URL(options.url);
      url.searchParams.set('token', await options.token());
      if (closed) return;
      current = new Socket(url.href);
    } catch (err) {
      lost(undefined, err instanceof Error ? err.message : String(err));
      return;
    }
    socket = current;
    // A refused or failed socket also closes, which is where it is handled (and `ws` throws an unheard error).
    current.addEventListener('error', () => {});
    current.addEventListener('open', () => {
      if (socket !== current) return;
      setState({ state: 'open' });
      flush(); // the actions that waited for a socket, then the sync: its snapshot shows what they did
      syncUnasked();
    });
    current.addEventListener('message', (event) => {
      if (socket === current) receive(event.data);
    });
    current.addEventListener('close', (event) => {
      if (socket === current) lost(event.code, event.reason);
    });
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    clearTimeout(reconnectTimer);
    clearTimeout(keepAliveTimer);
    for (const requestId of [...pending.keys()]) {
      settle(requestId, new AgentClientError('CLOSED', 'the client was closed', requestId));
    }
    const last = socket;
    socket = undefined;
    setState({ state: 'closed' });
    if (!last || last.readyState === CLOSED) return;
    await new Promise<void>((resolve) => {
      last.addEventListener('close', () => resolve());
      last.close(NORMAL_CLOSURE);
    });
  }

  const actions = Object.fromEntries(
    AGENT_ACTIONS.map((action) => [action, (fields?: object) => request(action, fields)]),
  ) as AgentActions;

  // Once the caller has had the chance to listen, so that `connection` listeners see the first connect too.
  queueMicrotask(() => void connect());

  return {
    ...actions,
    get state() {
      return state;
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (payload: never) => void);
      return () => {
        set.delete(listener as (payload: never) => void);
      };
    },
    close,
  };
}
