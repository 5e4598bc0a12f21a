import WebSocket from 'ws';
import { eventually } from './poll.ts';
import { staffFetch, tokenFor } from './tokens.ts';

export type Message = { type: string; [key: string]: any };

/** An agent's workspace as the tests drive it: registered over REST, connected over a real WebSocket. */
export class AgentClient {
  readonly messages: Message[] = [];
  private socket?: WebSocket;
  private seen = 0;

  constructor(
    readonly baseUrl: string,
    readonly wsUrl: string,
    readonly agentId: string,
  ) {}

  static async register(
    baseUrl: string,
    wsUrl: string,
    agentId: string,
    profile: {
      queues?: string[];
      autoAccept?: boolean;
      name?: string;
      skills?: { skill: string; level: number }[];
    } = {},
  ): Promise<AgentClient> {
    const res = await staffFetch(`${baseUrl}/v1/agents/${agentId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: profile.name ?? agentId,
        queues: profile.queues ?? ['support'],
        autoAccept: profile.autoAccept ?? false,
        ...(profile.skills ? { skills: profile.skills } : {}),
      }),
    });
    if (res.status >= 300) throw new Error(`register ${agentId}: ${res.status} ${await res.text()}`);
    return new AgentClient(baseUrl, wsUrl, agentId);
  }

  token(): Promise<string> {
    return tokenFor(this.baseUrl, this.agentId);
  }

  async connect(): Promise<this> {
    const socket = new WebSocket(`${this.wsUrl}?token=${await this.token()}`);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) =>
        reject(new Error(`socket refused: ${res.statusCode}`)),
      );
    });
    socket.on('message', (data) => this.messages.push(JSON.parse(data.toString()) as Message));
    this.socket = socket;
    return this;
  }

  /** Connects and goes available, waiting for the server's ack. */
  async online(): Promise<this> {
    if (!this.socket) await this.connect();
    await this.request({ action: 'setStatus', status: 'available' });
    return this;
  }

  send(message: Record<string, unknown>): void {
    if (!this.socket) throw new Error('not connected');
    this.socket.send(JSON.stringify(message));
  }

  /** Sends with a request id and waits for its ack or error. */
  async request(message: Record<string, unknown>, timeoutMs = 5000): Promise<Message> {
    const requestId = `${message.action}-${Math.random().toString(36).slice(2)}`;
    this.send({ ...message, requestId });
    return this.waitFor((m) => m.requestId === requestId, timeoutMs);
  }

  /** Waits for a message matching `match` (searching everything received, not only new messages). */
  async waitFor(match: (m: Message) => boolean, timeoutMs = 5000): Promise<Message> {
    return eventually(() => this.messages.find(match), { timeoutMs, what: `a message for ${this.agentId}` });
  }

  /** The next message of a type that arrived after the last `next` call. */
  async next(type: string, timeoutMs = 5000): Promise<Message> {
    const found = await eventually(
      () => {
        const index = this.messages.findIndex((m, i) => i >= this.seen && m.type === type);
        return index >= 0 ? index : undefined;
      },
      { timeoutMs, what: `${type} for ${this.agentId}` },
    );
    this.seen = found + 1;
    return this.messages[found] as Message;
  }

  received(type: string): Message[] {
    return this.messages.filter((m) => m.type === type);
  }

  async close(): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close();
    });
  }
}
