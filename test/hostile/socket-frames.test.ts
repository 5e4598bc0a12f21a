import { describe, expect, it } from 'vitest';
import { frame, OPCODE, rawSocket } from '../support/frames.ts';
import { eventually } from '../support/poll.ts';
import { useLocalStack } from '../support/stack.ts';

/**
 * Frames no browser would send, or that break API Gateway's quotas (32 KB a frame, 128 KB a message): the
 * gateway closes that one socket with the code API Gateway and RFC 6455 give, and the runtime goes on.
 */
describe('hostile WebSocket frames', () => {
  const ctx = useLocalStack({ offerTimeoutSeconds: 10 });
  const kb = (n: number) => 'x'.repeat(n * 1024);

  async function agentSocket(agentId: string) {
    const agent = await ctx.agent(agentId);
    return rawSocket(`${ctx.stack.wsUrl}?token=${await agent.token()}`);
  }

  /** The runtime still serves: a fresh agent connects and gets its snapshot. */
  async function stillServing(tag: string) {
    const witness = await (await ctx.agent(`witness-${tag}`)).connect();
    expect(await witness.request({ action: 'sync' })).toMatchObject({ type: 'snapshot' });
    await witness.close();
  }

  it.each([
    ['a 200 KB text message in one frame', 1009, () => frame(OPCODE.text, kb(200))],
    ['a 33 KB frame', 1009, () => frame(OPCODE.text, kb(33))],
    [
      'a 150 KB message in 30 KB frames',
      1009,
      () =>
        Buffer.concat([
          frame(OPCODE.text, kb(30), { fin: false }),
          ...[1, 2, 3].map(() => frame(OPCODE.continuation, kb(30), { fin: false })),
          frame(OPCODE.continuation, kb(30)),
        ]),
    ],
    ['invalid UTF-8 in a text frame', 1007, () => frame(OPCODE.text, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))],
    ['an unmasked frame', 1002, () => frame(OPCODE.text, '{"action":"sync"}', { mask: false })],
    ['a close frame with a reserved code', 1002, () => frame(OPCODE.close, Buffer.from([0x03, 0xed]))],
    ['a ping over 125 bytes', 1002, () => frame(OPCODE.ping, Buffer.alloc(126))],
    ['a continuation frame with nothing to continue', 1002, () => frame(OPCODE.continuation, 'orphan')],
    ['a reserved opcode', 1002, () => frame(0x3, 'what')],
    ['RSV bits without an extension', 1002, () => frame(OPCODE.text, '{}', { rsv: 0b100 })],
  ])('closes the socket that sends %s with %i, and goes on serving', async (name, code, bytes) => {
    const tag = name.replace(/\W+/g, '-');
    const raw = await agentSocket(`hostile-${tag}`);

    raw.write(bytes());

    expect(await raw.closed).toBe(code);
    await eventually(async () => !(await ctx.agentView(`hostile-${tag}`)).connected, {
      what: 'the closed socket to be forgotten',
    });
    await stillServing(tag);
  });

  it('takes a 90 KB message in 30 KB frames, as API Gateway does, and answers MESSAGE_TOO_LARGE', async () => {
    const raw = await agentSocket('hostile-fragmented');
    const text = JSON.stringify({ action: 'sync', requestId: 'big', pad: kb(90) });
    const parts = [text.slice(0, 30_000), text.slice(30_000, 60_000), text.slice(60_000)];

    raw.write(
      Buffer.concat([
        frame(OPCODE.text, parts[0] as string, { fin: false }),
        frame(OPCODE.continuation, parts[1] as string, { fin: false }),
        frame(OPCODE.continuation, parts[2] as string),
      ]),
    );

    await eventually(() => raw.messages.find((m) => (m as { requestId?: string }).requestId === 'big'), {
      what: 'the answer to the fragmented message',
    });
    expect(raw.messages).toContainEqual(
      expect.objectContaining({ type: 'error', code: 'MESSAGE_TOO_LARGE' }),
    );
    raw.socket.close();
  });
});
