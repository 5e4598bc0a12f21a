/**
 * Soak: does the local runtime keep its memory flat over a long run? It starts one stack, connects AGENTS
 * agents that accept every offer, and places CALLS calls at RATE calls per second; each is accepted, ended
 * by the CCaaS and wrapped up. Every REPORT_EVERY calls it prints the process's memory (all threads: the
 * runtime and its functions' execution environment), after a garbage collection when `--expose-gc` is on.
 * Run `npm run soak` (CALLS=20000 RATE=5 DATA_DIR=<empty folder> for the hour-long figure).
 */
import { performance } from 'node:perf_hooks';
import { startLocalStack } from '../local/stack.ts';
import { AgentClient } from '../test/support/agent.ts';
import { ccaasClient } from '../test/support/ccaas.ts';

const AGENTS = Number(process.env.AGENTS ?? 10);
const CALLS = Number(process.env.CALLS ?? 2000);
const RATE = Number(process.env.RATE ?? 20);
const REPORT_EVERY = Number(process.env.REPORT_EVERY ?? Math.max(100, Math.round(CALLS / 20)));

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

function memory() {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss: mb(rss), heap: mb(heapUsed) };
}

// With DATA_DIR (the operators' setting for long runs) the tables live on disk, as DynamoDB's do.
const stack = await startLocalStack({
  port: 0,
  offerTimeoutSeconds: 30,
  onError: () => undefined,
  ...(process.env.DATA_DIR ? { dataDir: process.env.DATA_DIR } : {}),
});
const ccaas = ccaasClient(stack.url, stack.webhookSecret);
const agents = await Promise.all(
  Array.from({ length: AGENTS }, async (_, i) =>
    (await AgentClient.register(stack.url, stack.wsUrl, `soak-${i}`)).online(),
  ),
);

/** An agent's part of one call: accept the offer, wait for the end, wrap up (available again). */
async function work(agent: AgentClient, offerId: string, callId: string) {
  await agent.request({ action: 'accept', offerId }, 30_000);
  await agent.waitFor(
    (m) => m.type === 'callState' && m.callId === callId && m.state === 'connected',
    30_000,
  );
  await ccaas.event(callId, 'ended');
  await agent.request({ action: 'wrapUp', callId, disposition: 'soak' }, 30_000);
  // The agent client keeps every message for the tests; a soak must not measure its own memory. What is
  // left may be another call's offer, already on its way.
  const done = agent.messages.filter((m) => m.callId === callId || m.requestId !== undefined);
  for (const m of done) agent.messages.splice(agent.messages.indexOf(m), 1);
}

const started = performance.now();
const baseline = memory();
const rows: { calls: number; seconds: number; rss: number; heap: number; lost: number }[] = [];
let done = 0;
let lost = 0;
const inFlight = new Set<Promise<void>>();
for (let n = 1; n <= CALLS; n++) {
  const due = started + (n * 1000) / RATE;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const call = (async () => {
    const callId = await ccaas.newCall();
    const offer = await Promise.any(
      agents.map((a) =>
        a.waitFor((m) => m.type === 'offer' && m.callId === callId, 30_000).then((m) => ({ a, m })),
      ),
    ).catch(() => undefined);
    if (!offer) {
      // Nobody took it in time: the caller gives up, as callers do, and the call leaves the queue.
      lost += 1;
      await ccaas.event(callId, 'caller_hangup');
      return;
    }
    await work(offer.a, offer.m.offerId, callId);
  })()
    .catch(() => {
      lost += 1;
    })
    .finally(() => {
      done += 1;
      inFlight.delete(call);
      if (done % REPORT_EVERY === 0) {
        const row = {
          calls: done,
          seconds: Math.round((performance.now() - started) / 1000),
          ...memory(),
          lost,
        };
        rows.push(row);
        process.stdout.write(`${JSON.stringify(row)}\n`);
      }
    });
  inFlight.add(call);
}
await Promise.all(inFlight);
await Promise.all(agents.map((a) => a.close()));
await stack.close();

const warm = rows[Math.min(2, rows.length - 1)];
const last = rows.at(-1);
process.stdout.write(
  `baseline ${baseline.rss} MB; after warm-up (${warm?.calls} calls) ${warm?.rss} MB; after ${last?.calls} calls ${last?.rss} MB (heap ${last?.heap} MB); ${lost} calls not answered\n`,
);
process.exit(0);
