import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AGENT_ACTIONS,
  DOMAIN_ERROR_CODES,
  INTERNAL_ERROR_CODE,
  SOCKET_REQUEST_ERROR_CODES,
} from '../../functions/core/vocabulary.ts';
import { frame, OPCODE, rawSocket } from '../support/frames.ts';
import { FUZZ_SEED, fuzzRuns } from '../support/fuzz.ts';
import { eventually } from '../support/poll.ts';
import { useLocalStack } from '../support/stack.ts';
import { staffFetch } from '../support/tokens.ts';

/** How many malformed frame sequences: a couple of hundred in `npm test`, thousands with `npm run fuzz`. */
const RUNS = fuzzRuns('FUZZ_FRAME_RUNS', 200);
const ERROR_CODES: readonly string[] = [...SOCKET_REQUEST_ERROR_CODES, ...DOMAIN_ERROR_CODES];

/**
 * A message no handler can accept: an action (known or not) with a field no schema allows, or JSON that
 * is not an object, or no JSON at all.
 */
const badMessage = fc.oneof(
  fc
    .record({
      action: fc.oneof(fc.constantFrom(...AGENT_ACTIONS), fc.string({ maxLength: 20 })),
      requestId: fc.option(fc.oneof(fc.string({ maxLength: 20 }), fc.integer()), { nil: undefined }),
      __fuzz: fc.jsonValue({ maxDepth: 2 }),
    })
    .map((m) => JSON.stringify(m)),
  fc
    .jsonValue({ maxDepth: 2 })
    .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
    .map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 300 }),
);

/** One frame: well-formed or not, at the protocol level (opcode, flags, masking, sizes) or in its text. */
const anyFrame = fc.oneof(
  { weight: 4, arbitrary: badMessage.map((text) => frame(OPCODE.text, text)) },
  {
    weight: 3,
    arbitrary: fc
      .record({
        opcode: fc.integer({ min: 0, max: 15 }),
        fin: fc.boolean(),
        mask: fc.boolean(),
        rsv: fc.integer({ min: 0, max: 7 }),
        payload: fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          badMessage.map((t) => Buffer.from(t)),
        ),
      })
      .map(({ opcode, fin, mask, rsv, payload }) => frame(opcode, Buffer.from(payload), { fin, mask, rsv })),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 33, max: 150 }).map((kb) => frame(OPCODE.text, 'x'.repeat(kb * 1024))),
  },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => Buffer.from(bytes)) },
);

describe(`fuzzed WebSocket frames (${RUNS}, seed ${FUZZ_SEED})`, () => {
  const ctx = useLocalStack();

  it('closes the socket or answers an error in the usual shape, never crashes, and changes nothing', async () => {
    const agent = await ctx.agent('frame-fuzzer', { queues: ['fuzz-frames'] });
    const token = await agent.token();
    // What an agent is, less when its last socket closed (the fuzzer opens and closes many).
    const agents = async () =>
      (
        (await (await staffFetch(`${ctx.stack.url}/v1/agents?limit=1000`)).json()) as {
          agents: Record<string, unknown>[];
        }
      ).agents.map(({ disconnectedAt: _closed, ...agent }) => agent);
    const agentsBefore = await agents();
    const publishedBefore = ctx.stack.published.length;
    let socket = await rawSocket(`${ctx.stack.wsUrl}?token=${token}`);
    let sent = 0;

    await fc.assert(
      fc.asyncProperty(fc.array(anyFrame, { minLength: 1, maxLength: 3 }), async (frames) => {
        sent++;
        const sentinel = `sentinel-${sent}`;
        const seen = socket.messages.length;
        socket.write(
          Buffer.concat([
            ...frames,
            frame(OPCODE.text, JSON.stringify({ action: 'sync', requestId: sentinel })),
          ]),
        );
        // The socket answers the sentinel (everything before it was handled), or closes; or, when the bytes
        // announced a frame longer than what followed, it waits for the rest, as any server must.
        const outcome = await Promise.race([
          socket.closed.then((code) => ({ closed: code })),
          eventually(
            () => socket.messages.find((m) => (m as { requestId?: string }).requestId === sentinel),
            {
              timeoutMs: 3_000,
              intervalMs: 5,
            },
          ).then(
            () => ({ answered: true }),
            () => ({ waiting: true }),
          ),
        ]);
        if ('waiting' in outcome) {
          socket.socket.terminate();
          await socket.closed;
        }
        for (const message of socket.messages.slice(seen) as {
          type: string;
          code?: string;
          message?: string;
        }[]) {
          if (message.type !== 'error') continue;
          expect([...ERROR_CODES]).toContain(message.code);
          expect(message.code).not.toBe(INTERNAL_ERROR_CODE);
          expect(typeof message.message).toBe('string');
        }
        if ('closed' in outcome) expect([1000, 1002, 1005, 1006, 1007, 1009]).toContain(outcome.closed);
        if ('answered' in outcome) socket.messages.splice(0);
        else socket = await rawSocket(`${ctx.stack.wsUrl}?token=${token}`);
      }),
      { numRuns: RUNS, seed: FUZZ_SEED, endOnFailure: true },
    );
    socket.socket.close();
    await socket.closed;

    expect(sent).toBe(RUNS);
    await eventually(async () => (await agents()).every((a) => !a.connected));
    expect(await agents()).toEqual(agentsBefore);
    expect(ctx.stack.published.length).toBe(publishedBefore);
  }, 900_000);
});
