/**
 * Soak: does the local runtime keep its memory flat over a long run? It starts one stack, connects AGENTS
 * agents that take every offer, and places CALLS calls at RATE calls per second. Each offered call is
 * accepted, ended by the CCaaS and wrapped up; a call nobody is offered within 30 s is hung up by its
 * caller and counted as not answered. Every REPORT_EVERY calls it prints the process's memory (all
 * threads: the runtime and its functions' execution environment), after a garbage collection.
 * Run `npm run soak` (`CALLS=20000 RATE=5 DATA_DIR=<empty folder> npm run soak` for the hour-long figure).
 * It exits 1 when the memory grew more than MAX_GROWTH_MB (50) after warm-up or a call went unanswered.
 *
 * The agents react to their sockets' messages as they come (no polling), so that the harness, which shares
 * the process with the runtime, costs next to nothing.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { callIdFor } from '../functions/core/call.ts';
import { startLocalStack } from '../local/stack.ts';
import { ccaasClient } from '../test/support/ccaas.ts';
import { staffFetch } from '../test/support/tokens.ts';

const AGENTS = Number(process.env.AGENTS ?? 10);
const CALLS = Number(process.env.CALLS ?? 2000);
const RATE = Number(process.env.RATE ?? 5);
const REPORT_EVERY = Number(process.env.REPORT_EVERY ?? Math.max(100, Math.round(CALLS / 20)));
const OFFER_WAIT_MS = 30_000;
const MAX_GROWTH_MB = Number(process.env.MAX_GROWTH_MB ?? 50);

type Message = { type: string; [key: string]: unknown };
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

/** The process's memory (all threads), its main heap, and the functions' heap (their worker thread). */
async function memory() {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed, external } = process.memoryUsage();
  return {
    rss: mb(rss),
    heap: mb(heapUsed),
    functionsHeap: mb(await stack.functionsHeapUsed()),
    external: mb(external),
  };
}

// With DATA_DIR (the operators' setting for long runs) the tables live on disk, as DynamoDB's do.
const stack = await startLocalStack({
  port: 0,
  offerTimeoutSeconds: 30,
  onError: () => undefined,
  ...(process.env.DATA_DIR ? { dataDir: process.env.DATA_DIR } : {}),
});
const ccaas = ccaasClient(stack.url, stack.webhookSecret);

/** Calls placed and not yet settled: when each was placed, and its caller's give-up timer. */
const open = new Map<string, { timer: NodeJS.Timeout; resolve: () => void }>();
let placed = 0;
let settled = 0;
let answered = 0;
let lost = 0;
const rows: Record<string, number>[] = [];
const started = performance.now();

function settle(callId: string, outcome: 'answered' | 'lost') {
  const call = open.get(callId);
  if (!call) return;
  open.delete(callId);
  clearTimeout(call.timer);
  if (outcome === 'answered') answered++;
  else lost++;
  settled++;
  if (settled % REPORT_EVERY === 0) void report(settled).finally(() => call.resolve());
  else call.resolve();
}

async function report(calls: number) {
  const seconds = Math.round((performance.now() - started) / 1000);
  const row = { calls, seconds, ...(await memory()), lost };
  rows.push(row);
  process.stdout.write(`${JSON.stringify(row)}\n`);
}

/** An agent's workspace reduced to what the soak needs: take the offer, talk, end, wrap up, next. */
async function agent(agentId: string): Promise<WebSocket> {
  await staffFetch(`${stack.url}/v1/agents/${agentId}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: agentId, queues: ['support'] }),
  });
  const { token } = (await (
    await fetch(`${stack.url}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agentId }),
    })
  ).json()) as { token: string };
  const socket = new WebSocket(`${stack.wsUrl}?token=${token}`);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const send = (message: Record<string, unknown>) => socket.send(JSON.stringify(message));
  socket.on('message', (data) => {
    const m = JSON.parse(data.toString()) as Message;
    const callId = m.callId as string;
    if (m.type === 'offer') send({ action: 'accept', offerId: m.offerId });
    else if (m.type === 'callState' && m.state === 'connected') {
      void ccaas.event(callId, 'ended').catch(() => undefined);
    } else if (m.type === 'callState' && m.state === 'completed') {
      send({ action: 'wrapUp', callId, disposition: 'soak' });
      settle(callId, 'answered');
    }
  });
  send({ action: 'setStatus', status: 'available' });
  return socket;
}

const sockets = await Promise.all(Array.from({ length: AGENTS }, (_, i) => agent(`soak-${i}`)));
const baseline = await memory();
/** Resolves once every call placed has settled; counted, not listed, so the harness itself stays flat. */
let unsettled = 0;
let allSettled: () => void = () => undefined;
const done = new Promise<void>((resolve) => {
  allSettled = resolve;
});
for (let n = 1; n <= CALLS; n++) {
  const wait = started + (n * 1000) / RATE - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  placed++;
  const ccaasCallId = `soak-${n}-${randomUUID()}`;
  const callId = callIdFor(ccaasCallId);
  // Known before the call is placed: its offer can come before the CCaaS hears our answer.
  const outcome = new Promise<void>((resolve) => {
    // Nobody took it in time: the caller gives up, as callers do, and the call leaves the queue.
    const timer = setTimeout(() => {
      void ccaas.event(callId, 'caller_hangup').catch(() => undefined);
      settle(callId, 'lost');
    }, OFFER_WAIT_MS);
    open.set(callId, { timer, resolve });
  });
  unsettled++;
  void ccaas
    .newCall({ ccaasCallId })
    .then(
      () => outcome,
      () => settle(callId, 'lost'),
    )
    .finally(() => {
      if (--unsettled === 0 && placed === CALLS) allSettled();
    });
}
await done;
for (const socket of sockets) socket.close();
await stack.close();

const warm = rows[Math.min(2, rows.length - 1)];
const last = rows.at(-1);
process.stdout.write(
  `${placed} calls placed, ${answered} answered, ${lost} not answered. Memory: ${baseline.rss} MB at the start, ` +
    `${warm?.rss} MB after warm-up (${warm?.calls} calls), ${last?.rss} MB after ${last?.calls} calls ` +
    `(main heap ${warm?.heap} → ${last?.heap} MB)\n`,
);
// Flat means within MAX_GROWTH_MB after warm-up; and a call is lost only when the machine is overloaded.
const growth = (last?.rss ?? 0) - (warm?.rss ?? 0);
const failures = [
  ...(growth > MAX_GROWTH_MB ? [`memory grew ${growth} MB after warm-up (over ${MAX_GROWTH_MB} MB)`] : []),
  ...(lost > 0 ? [`${lost} calls not answered`] : []),
];
for (const failure of failures) process.stderr.write(`soak failed: ${failure}\n`);
process.exit(failures.length > 0 ? 1 : 0);
