/**
 * Benchmark: how fast, how surely and at what cost a call reaches an agent, on the local runtime. For each
 * rate (calls per second, for `durationSeconds`), one stack with `agents` agents that accept every offer,
 * talk for `talkSeconds`, hang up, wrap up and are available again. Per rate it reports time-to-offer
 * (signed callback sent → offer on the agent's socket) and accept → `interactionCreated`, against the I/O
 * floor measured on the same stack (bench/floor.ts); the calls never offered or not answered; every AWS
 * operation per answered call, counted by the local runtime (`LocalStack.counters`), and their price per
 * 1,000 answered calls (bench/prices.ts). Then one row on a stack with AWS's latencies injected
 * (bench/aws-latency.ts): the predicted time-to-offer on AWS.
 *
 *   npm run bench -- --rate 5,10,20,50 --duration 60 --agents 60
 *
 * The machine's speed and whatever else runs on it show in the latencies: compare rows of one run.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import {
  type AgentClient,
  type AgentClientError,
  createAgentClient,
  type SocketConstructor,
} from '../client/agent-client.ts';
import { callIdFor } from '../functions/core/call.ts';
import { FUNCTION_MEMORY_MB, FUNCTIONS } from '../functions/manifest/index.ts';
import {
  type LocalStack,
  MACHINE_LAMBDA_ENVIRONMENTS,
  type StackCounters,
  startLocalStack,
} from '../local/stack.ts';
import { ccaasClient } from '../test/support/ccaas.ts';
import { staffFetch, tokenFor } from '../test/support/tokens.ts';
import { awsLatencyMs } from './aws-latency.ts';
import { measureFloor } from './floor.ts';
import { cost, PRICES, PRICES_DATE, PRICES_REGION, type PriceKey } from './prices.ts';

export interface BenchOptions {
  /** Calls per second, one row each. */
  rates: number[];
  durationSeconds: number;
  agents: number;
  talkSeconds: number;
  /** Callbacks the floor is measured with, one after the other. */
  floorSamples: number;
  /**
   * Seconds of calls at a stack's first rate before its rows are measured, and not counted: the first
   * calls also pay for compiling the code on their paths, which no later row does.
   */
  warmupSeconds: number;
  /** The AWS-profile row's rate (0: no such row) and duration. */
  awsRate: number;
  awsDurationSeconds: number;
  /** A call not answered within this long after the last one was placed is given up by its caller. */
  offerWaitSeconds: number;
  /** `standard` creates the interaction before the offer, as CRMs do without resiliency (to compare). */
  mode: 'resiliency' | 'standard';
}

export const DEFAULT_OPTIONS: BenchOptions = {
  rates: [5, 10, 20],
  durationSeconds: 60,
  agents: 60,
  talkSeconds: 0.5,
  floorSamples: 100,
  warmupSeconds: 5,
  awsRate: 5,
  awsDurationSeconds: 30,
  offerWaitSeconds: 30,
  mode: 'resiliency',
};

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** One operation per answered call, and its price per 1,000 answered calls when AWS bills it. */
export interface Operation {
  service: string;
  operation: string;
  perCall: number;
  price?: PriceKey;
  usdPer1000?: number;
}

export interface RateRow {
  profile: 'local' | 'aws';
  rate: number;
  placed: number;
  answered: number;
  neverOffered: number;
  /** Placed and not answered (never offered included). */
  lost: number;
  timeToOffer: Percentiles;
  acceptToInteraction: Percentiles;
  floor: Percentiles;
  /** Time-to-offer p50 over the floor's p50. */
  timesFloor: number;
  operations: Operation[];
  usdPer1000: number;
  /** CPU time of this process (the runtime, its functions' thread and the bench's agents) per call placed. */
  cpuMsPerCall: number;
}

export interface BenchReport {
  options: BenchOptions;
  rows: RateRow[];
}

export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  return { p50: at(50), p90: at(90), p99: at(99), max: sorted.at(-1) ?? Number.NaN };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An agent that takes every offer: accept, talk, hang up, wrap up, available again. */
async function startAgent(
  stack: LocalStack,
  agentId: string,
  talkMs: number,
  calls: CallTracker,
): Promise<AgentClient> {
  await staffFetch(`${stack.url}/v1/agents/${agentId}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: agentId, queues: ['support'] }),
  });
  const client = createAgentClient({
    url: stack.wsUrl,
    token: () => tokenFor(stack.url, agentId),
    WebSocket: WebSocket as unknown as SocketConstructor,
    requestTimeoutMs: 30_000,
  });
  client.on('offer', ({ offerId, callId }) => {
    calls.offered(callId);
    calls.action(client.accept({ offerId }));
  });
  client.on('interactionCreated', ({ callId }) => calls.interactionCreated(callId));
  client.on('callState', ({ callId, state }) => {
    if (state === 'connected' && calls.connected(callId)) {
      calls.action(sleep(talkMs).then(() => client.hangup({ callId })));
    }
    if (state === 'completed') {
      calls.action(client.wrapUp({ callId, disposition: 'bench' }).then(() => calls.done(callId)));
    }
  });
  // An agent offered a call the moment it connected (a call waiting for one) is refused the status: it is busy.
  await client.setStatus({ status: 'available' }).catch((error: AgentClientError) => {
    if (error.code !== 'INVALID_STATE') throw error;
  });
  return client;
}

type CallTracker = ReturnType<typeof callTracker>;

/** The calls of one row: when each was placed, offered, accepted and connected. */
function callTracker() {
  const calls = new Map<
    string,
    /** `done` is false while the agent talks, true once it has wrapped up. */
    { placed: number; offered?: number; interaction?: number; done?: boolean }
  >();
  const actions = new Set<Promise<unknown>>();
  return {
    calls,
    placed(callId: string) {
      calls.set(callId, { placed: performance.now() });
    },
    /** The agent accepts at once: the offer's time is the accept's. */
    offered(callId: string) {
      const call = calls.get(callId);
      if (call) call.offered ??= performance.now();
    },
    /** True the first time: the agent starts talking. */
    connected(callId: string) {
      const call = calls.get(callId);
      if (!call || call.done !== undefined) return false;
      call.done = false;
      return true;
    },
    interactionCreated(callId: string) {
      const call = calls.get(callId);
      if (call?.offered !== undefined) call.interaction ??= performance.now();
    },
    done(callId: string) {
      const call = calls.get(callId);
      if (call) call.done = true;
    },
    /** An agent's request under way: the row ends once all have answered. */
    action(request: Promise<unknown>) {
      const settled = request.catch(() => undefined);
      actions.add(settled);
      void settled.finally(() => actions.delete(settled));
    },
    async settled() {
      while (actions.size > 0) await Promise.all([...actions]);
    },
  };
}

/** Waits until the functions have been idle (no invocation started) for a tenth of a second. */
async function quiet(stack: LocalStack): Promise<void> {
  const invocations = async () =>
    Object.values((await stack.counters()).invocations).reduce((sum, i) => sum + i.count, 0);
  let before = -1;
  for (let now = await invocations(); now !== before; now = await invocations()) {
    before = now;
    await stack.eventsSettled();
    await sleep(100);
  }
}

/** Places calls at `rate` per second for `seconds`, and waits until each is done or given up. */
async function runRate(
  stack: LocalStack,
  calls: CallTracker,
  rate: number,
  seconds: number,
  offerWaitMs: number,
) {
  const ccaas = ccaasClient(stack.url, stack.webhookSecret);
  const count = Math.max(1, Math.round(rate * seconds));
  const started = performance.now();
  const placing: Promise<unknown>[] = [];
  for (let n = 0; n < count; n++) {
    const wait = started + (n * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    const ccaasCallId = `bench-${randomUUID()}`;
    // Known before the callback: its offer can come before the CCaaS hears our answer.
    const callId = callIdFor(ccaasCallId);
    calls.placed(callId);
    placing.push(ccaas.newCall({ ccaasCallId }).catch(() => undefined));
  }
  await Promise.all(placing);
  const deadline = performance.now() + offerWaitMs;
  const open = () => [...calls.calls.values()].filter((c) => c.done !== true);
  while (open().length > 0 && performance.now() < deadline) await sleep(100);
  // Not answered in time: their callers give up, and nothing of this rate is left for the next one.
  for (const [callId, call] of calls.calls) {
    if (call.done !== true) await ccaas.event(callId, 'caller_hangup').catch(() => undefined);
  }
  await calls.settled();
  await quiet(stack);
}

/** Each operation the counters hold, per answered call, priced when AWS bills it. */
export function operationsPerCall(counters: StackCounters, answered: number): Operation[] {
  const per = (n: number) => n / Math.max(1, answered);
  const ops: Operation[] = [];
  const add = (service: string, operation: string, total: number, price?: PriceKey) => {
    if (total === 0) return;
    const perCall = per(total);
    ops.push({
      service,
      operation,
      perCall,
      ...(price ? { price, usdPer1000: cost(price, perCall * 1000) } : {}),
    });
  };
  const sdk = counters.sdk.requests;
  for (const [operation, n] of Object.entries(sdk.DynamoDB ?? {})) add('DynamoDB', operation, n);
  add('DynamoDB', 'write request units', counters.sdk.dynamoDbUnits.write, 'dynamoDbWrite');
  add('DynamoDB', 'read request units', counters.sdk.dynamoDbUnits.read, 'dynamoDbRead');
  add('Step Functions', 'state transitions', counters.stateTransitions, 'stepFunctions');
  for (const [operation, n] of Object.entries(sdk.SFN ?? {})) add('Step Functions', operation, n);
  for (const [operation, n] of Object.entries(sdk.EventBridge ?? {})) add('EventBridge', operation, n);
  add('EventBridge', 'events', counters.sdk.events, 'eventBridge');

  const byTrigger = (match: (entry: (typeof FUNCTIONS)[number]) => boolean) =>
    FUNCTIONS.filter(match).reduce((sum, f) => sum + (counters.invocations[f.handler]?.count ?? 0), 0);
  add(
    'API Gateway',
    'HTTP API requests',
    byTrigger((f) => f.trigger.type === 'http'),
    'httpApi',
  );
  const messagesIn = byTrigger(
    (f) => f.trigger.type === 'websocket' && !['$connect', '$disconnect'].includes(f.trigger.route),
  );
  const posts = Object.values(sdk.ApiGatewayManagementApi ?? {}).reduce((a, b) => a + b, 0);
  add('API Gateway', 'WebSocket messages in', messagesIn);
  for (const [operation, n] of Object.entries(sdk.ApiGatewayManagementApi ?? {}))
    add('API Gateway', `@connections ${operation}`, n);
  add('API Gateway', 'WebSocket messages', messagesIn + posts, 'webSocketMessages');

  // SQS: the functions' requests, the rules' sends to the outbox, and per batch Lambda's poller took,
  // its ReceiveMessage and its DeleteMessageBatch (its empty long polls are a fixed cost, not per call).
  const sqsRequests = Object.values(sdk.SQS ?? {}).reduce((a, b) => a + b, 0);
  const batches = byTrigger((f) => f.trigger.type === 'queue');
  for (const [operation, n] of Object.entries(sdk.SQS ?? {})) add('SQS', operation, n);
  add('SQS', 'SendMessage by rules', counters.queuedByRules);
  add('SQS', 'requests by pollers', batches * 2);
  add('SQS', 'requests', sqsRequests + counters.queuedByRules + batches * 2, 'sqs');
  const secrets = Object.values(sdk.SecretsManager ?? {}).reduce((a, b) => a + b, 0);
  add('Secrets Manager', 'API calls', secrets, 'secretsManager');

  const invocations = Object.values(counters.invocations);
  add(
    'Lambda',
    'invocations',
    invocations.reduce((sum, i) => sum + i.count, 0),
    'lambdaRequests',
  );
  // Measured from the event sent to an environment to the result received (the time an invocation waited for
  // room is not in it, as Lambda bills from the start): the local figure, on a CPU the threads share.
  const gbSeconds =
    invocations.reduce((sum, i) => sum + i.durationMs / 1000, 0) * (FUNCTION_MEMORY_MB / 1024);
  add('Lambda', 'GB-seconds', gbSeconds, 'lambdaDuration');
  return ops;
}

async function benchStack(
  options: BenchOptions,
  profile: RateRow['profile'],
  rates: number[],
  seconds: number,
): Promise<RateRow[]> {
  const stack = await startLocalStack({
    port: 0,
    offerTimeoutSeconds: 30,
    // The sweep runs once a minute on AWS whatever the traffic: not a cost per call.
    sweepIntervalSeconds: 3600,
    onError: () => undefined,
    interactionMode: options.mode,
    lambdaEnvironments: MACHINE_LAMBDA_ENVIRONMENTS,
    ...(profile === 'aws' ? { awsLatencyMs } : {}),
  });
  const rows: RateRow[] = [];
  const agents: AgentClient[] = [];
  try {
    const floor = percentiles(await measureFloor(stack, options.floorSamples));
    // Each run (the warm-up, then each rate) has its agents, who report to its own tracker.
    const startAgents = async (calls: CallTracker) =>
      agents.push(
        ...(await Promise.all(
          Array.from({ length: options.agents }, (_, i) =>
            startAgent(stack, `bench-${i}`, options.talkSeconds * 1000, calls),
          ),
        )),
      );
    if (options.warmupSeconds > 0 && rates[0] !== undefined) {
      const calls = callTracker();
      await startAgents(calls);
      await runRate(stack, calls, rates[0], options.warmupSeconds, options.offerWaitSeconds * 1000);
      await Promise.all(agents.splice(0).map((agent) => agent.close()));
    }
    for (const rate of rates) {
      const calls = callTracker();
      await startAgents(calls);
      await quiet(stack);
      await stack.counters(true);
      const cpuBefore = process.cpuUsage();
      await runRate(stack, calls, rate, seconds, options.offerWaitSeconds * 1000);
      const cpu = process.cpuUsage(cpuBefore);
      const counters = await stack.counters(true);
      const all = [...calls.calls.values()];
      const answered = all.filter((c) => c.done !== undefined).length;
      const timeToOffer = percentiles(all.flatMap((c) => (c.offered ? [c.offered - c.placed] : [])));
      const operations = operationsPerCall(counters, answered);
      rows.push({
        profile,
        rate,
        placed: all.length,
        answered,
        neverOffered: all.filter((c) => c.offered === undefined).length,
        lost: all.length - answered,
        timeToOffer,
        acceptToInteraction: percentiles(
          all.flatMap((c) => (c.offered && c.interaction ? [c.interaction - c.offered] : [])),
        ),
        floor,
        timesFloor: timeToOffer.p50 / floor.p50,
        operations,
        usdPer1000: operations.reduce((sum, o) => sum + (o.usdPer1000 ?? 0), 0),
        cpuMsPerCall: (cpu.user + cpu.system) / 1000 / all.length,
      });
      await Promise.all(agents.splice(0).map((agent) => agent.close()));
    }
  } finally {
    await Promise.all(agents.map((agent) => agent.close()));
    await stack.close();
  }
  return rows;
}

/** Runs every rate on the local runtime, then the AWS-profile row. */
export async function runBench(partial: Partial<BenchOptions> = {}): Promise<BenchReport> {
  const options = { ...DEFAULT_OPTIONS, ...partial };
  const rows = await benchStack(options, 'local', options.rates, options.durationSeconds);
  if (options.awsRate > 0) {
    rows.push(...(await benchStack(options, 'aws', [options.awsRate], options.awsDurationSeconds)));
  }
  return { options, rows };
}

const ms = (v: number) => (Number.isNaN(v) ? '—' : `${v.toFixed(0)}`);
const pct = (p: Percentiles) => `${ms(p.p50)} / ${ms(p.p90)} / ${ms(p.p99)} / ${ms(p.max)}`;
const table = (head: string[], body: string[][]) =>
  [head, head.map(() => '---'), ...body].map((r) => `| ${r.join(' | ')} |`).join('\n');
const rowName = (r: RateRow) => `${r.rate}/s${r.profile === 'aws' ? ' (AWS profile)' : ''}`;

/** The report as Markdown: latencies, then operations per answered call and their price. */
export function formatReport({ options, rows }: BenchReport): string {
  const latencies = table(
    [
      'rate',
      'calls',
      'answered',
      'never offered',
      'lost',
      'time-to-offer ms p50 / p90 / p99 / max',
      '× floor (p50)',
      'floor ms p50 / p99',
      'accept → interaction ms p50 / p90 / p99 / max',
      '$ per 1,000 calls',
      'CPU ms per call',
    ],
    rows.map((r) => [
      rowName(r),
      String(r.placed),
      String(r.answered),
      String(r.neverOffered),
      String(r.lost),
      pct(r.timeToOffer),
      r.timesFloor.toFixed(1),
      `${ms(r.floor.p50)} / ${ms(r.floor.p99)}`,
      pct(r.acceptToInteraction),
      `$${r.usdPer1000.toFixed(3)}`,
      r.cpuMsPerCall.toFixed(0),
    ]),
  );
  const keys = [...new Set(rows.flatMap((r) => r.operations.map((o) => `${o.service}\t${o.operation}`)))];
  const operations = table(
    ['service', 'per answered call', ...rows.map(rowName), '$ per 1,000 calls (first rate)'],
    keys.map((key) => {
      const [service = '', operation = ''] = key.split('\t');
      const found = rows.map((r) =>
        r.operations.find((o) => o.service === service && o.operation === operation),
      );
      const priced = found[0]?.usdPer1000;
      return [
        service,
        operation,
        ...found.map((o) => (o ? o.perCall.toFixed(2) : '—')),
        priced === undefined ? '' : `$${priced.toFixed(4)}`,
      ];
    }),
  );
  const sources = Object.values(PRICES)
    .map((p) => `- $${p.usd} per ${p.per.toLocaleString('en-US')} ${p.unit}: ${p.source}`)
    .join('\n');
  return [
    `${options.mode} mode, ${options.agents} agents (talk ${options.talkSeconds} s), ${options.durationSeconds} s per rate; floor: ${options.floorSamples} callbacks one at a time. Times in ms.`,
    '',
    latencies,
    '',
    'Operations per answered call, counted (not estimated) by the local runtime:',
    '',
    operations,
    '',
    `Prices: ${PRICES_REGION}, list prices of ${PRICES_DATE}, no free tier:`,
    sources,
  ].join('\n');
}

function parseCli(): Partial<BenchOptions> {
  const { values } = parseArgs({
    options: {
      rate: { type: 'string' },
      duration: { type: 'string' },
      agents: { type: 'string' },
      talk: { type: 'string' },
      'floor-samples': { type: 'string' },
      warmup: { type: 'string' },
      'aws-rate': { type: 'string' },
      'aws-duration': { type: 'string' },
      mode: { type: 'string' },
    },
  });
  const number = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const parsed = {
    rates: values.rate?.split(',').map(Number),
    durationSeconds: number(values.duration),
    agents: number(values.agents),
    talkSeconds: number(values.talk),
    floorSamples: number(values['floor-samples']),
    warmupSeconds: number(values.warmup),
    awsRate: number(values['aws-rate']),
    awsDurationSeconds: number(values['aws-duration']),
    mode: values.mode as BenchOptions['mode'] | undefined,
  };
  return Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${formatReport(await runBench(parseCli()))}\n`);
  process.exit(0);
}
