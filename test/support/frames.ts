import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import WebSocket from 'ws';

/** WebSocket opcodes (RFC 6455 §5.2). */
export const OPCODE = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

export interface FrameOptions {
  fin?: boolean;
  /** Clients must mask; false sends an unmasked frame, which a server must refuse. */
  mask?: boolean;
  /** RSV1-3 bits; nonzero without a negotiated extension is a protocol error. */
  rsv?: number;
}

/** One raw frame, as a client would put it on the wire. */
export function frame(opcode: number, payload: Buffer | string, options: FrameOptions = {}): Buffer {
  const { fin = true, mask = true, rsv = 0 } = options;
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const length =
    data.length < 126
      ? [data.length]
      : data.length < 65_536
        ? [126, data.length >> 8, data.length & 0xff]
        : [127];
  const header = Buffer.from([
    (fin ? 0x80 : 0) | (rsv << 4) | opcode,
    (mask ? 0x80 : 0) | (length[0] as number),
  ]);
  const extended =
    length[0] === 126
      ? Buffer.from(length.slice(1))
      : length[0] === 127
        ? (() => {
            const b = Buffer.alloc(8);
            b.writeBigUInt64BE(BigInt(data.length));
            return b;
          })()
        : Buffer.alloc(0);
  if (!mask) return Buffer.concat([header, extended, data]);
  const key = randomBytes(4);
  const masked = Buffer.from(data.map((byte, i) => byte ^ (key[i % 4] as number)));
  return Buffer.concat([header, extended, key, masked]);
}

/**
 * An open agent socket whose raw TCP stream the test writes to directly, to send what no well-behaved
 * client library would. Resolves `closed` with the close code the server sent, if it closes.
 */
export async function rawSocket(url: string): Promise<{
  write(bytes: Buffer): void;
  closed: Promise<number>;
  messages: unknown[];
  socket: WebSocket;
}> {
  const socket = new WebSocket(url);
  const messages: unknown[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(data.toString())));
  // The client library sees the server's reaction, never a parse error of its own: it sent nothing itself.
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_req, res) => reject(new Error(`socket refused: ${res.statusCode}`)));
  });
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  const tcp = (socket as unknown as { _socket: Socket })._socket;
  return { write: (bytes) => tcp.write(bytes), closed, messages, socket };
}
