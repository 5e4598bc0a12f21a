/**
 * Benchmark: how fast, and whether, a call reaches an agent — resiliency mode against standard mode
 * (interaction created before the offer) — with the CRM healthy, slow, and down, on the local runtime.
 * For each scenario it starts a stack, connects AGENTS agents that accept every offer, sends CALLS signed
 * callbacks (CONCURRENCY at a time) and measures per call: callback → offer on the agent's socket, and
 * accept → callState connected. A call whose offer does not come within OFFER_WAIT_MS counts as not
 * delivered. Run `npm run bench`; numbers depend on the machine, so compare rows of one run.
 */
import { performance } from 'node:perf_hooks';
import { type LocalStack, startLocalStack } from '../local/stack.ts';
import { AgentClient } from '../test/support/agent.ts';
import { ccaasClient } from '../test/support/ccaas.ts';

const AGENTS = Number(process.env.AGENTS ?? 20);
const CALLS = Number(process.env.CALLS ?? 200);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 10);
const OFFER_WAIT_MS = Number(process.env.OFFER_WAIT_MS ?? 5000);

type Crm = 'healthy' | 'slow (800 ms)' | 'down';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function setCrm(stack: LocalStack, crm: Crm) {
  const faults =
    crm === 'down'
      ? { interactionStore: 'down' }
      : { interactionStoreLatencyMs: crm === 'healthy' ? 0 : 800 };
  await fetch(`${stack.url}/dev/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
}

async function run(mode: 'resiliency' | 'standard', crm: Crm) {
  const stack = await startLocalStack({
    port: 0,
    interactionMode: mode,
    offerTimeoutSeconds: 30,
    onError: () => undefined,
  });
  await setCrm(stack, crm);
  const ccaas = ccaasClient(stack.url, stack.webhookSecret);
  const agents = await Promise.all(
    Array.from({ length: AGENTS }, async (_, i) =>
      (await AgentClient.register(stack.url, stack.wsUrl, `bench-${i}`)).online(),
    ),
  );
  const calls = crm === 'healthy' ? CALLS : Math.max(1, Math.round(CALLS / 4));
  const toOffer: number[] = [];
  const toConnected: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < calls) {
        next += 1;
        const t0 = performance.now();
        const callId = await ccaas.newCall();
        const offer = await Promise.any(
          agents.map((a) => a.waitFor((m) => m.type === 'offer' && m.callId === callId, OFFER_WAIT_MS)),
        ).catch(() => undefined);
        if (!offer) {
          await ccaas.event(callId, 'caller_hangup');
          continue;
        }
        toOffer.push(performance.now() - t0);
        const agent = agents.find((a) => a.messages.includes(offer)) as AgentClient;
        const t1 = performance.now();
        await agent.request({ action: 'accept', offerId: offer.offerId }, 30_000);
        await agent.waitFor(
          (m) => m.type === 'callState' && m.callId === callId && m.state === 'connected',
          30_000,
        );
        toConnected.push(performance.now() - t1);
        await ccaas.event(callId, 'ended');
        await agent.request({ action: 'setStatus', status: 'available' }, 30_000);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(agents.map((a) => a.close()));
  await stack.close();
  const ms = (v: number) => (Number.isNaN(v) ? '—' : `${v.toFixed(0)} ms`);
  return {
    mode,
    crm,
    delivered: `${toOffer.length}/${calls}`,
    'calls/s': (calls / seconds).toFixed(1),
    'offer p50': ms(percentile(toOffer, 50)),
    'offer p95': ms(percentile(toOffer, 95)),
    'connected p50': ms(percentile(toConnected, 50)),
    'connected p95': ms(percentile(toConnected, 95)),
  };
}

const results = [];
for (const crm of ['healthy', 'slow (800 ms)', 'down'] as const) {
  for (const mode of ['resiliency', 'standard'] as const) results.push(await run(mode, crm));
}
console.table(results);
process.exit(0);
