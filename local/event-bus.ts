import { randomUUID } from 'node:crypto';
import { EVENT_RULES, type EventRule, type EventRuleKey } from '../functions/manifest/index.ts';

export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface RuleTarget {
  rule: EventRuleKey;
  invoke: (event: BusEvent) => Promise<unknown>;
}

export interface DeadLetter {
  event: BusEvent;
  rule: string;
  error: string;
  attempts: number;
}

interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Time?: number | string;
}

/** How many published events and dead letters the bus keeps for tests and `GET /v1/dead-letters`. */
const KEPT = 5_000;

/** Appends to a list that keeps only the most recent KEPT entries, so a long run stays flat. */
function keepRecent<T>(list: T[], entry: T): void {
  list.push(entry);
  // Trimmed in batches: one splice per KEPT appends, not one per append.
  if (list.length >= 2 * KEPT) list.splice(0, list.length - KEPT);
}

/** Whether an event matches a rule pattern (the subset of EventBridge pattern syntax the rules use). */
function matchesPattern(pattern: EventRule['pattern'], source: string, detailType: string): boolean {
  if (!pattern.source.includes(source)) return false;
  return pattern['detail-type'].some((p) =>
    typeof p === 'string' ? p === detailType : detailType.startsWith(p.prefix),
  );
}

/**
 * EventBridge on one machine: PutEvents on the runtime's port, the same rule patterns as the stack
 * (EVENT_RULES), asynchronous delivery to the rule's target with exponential backoff, and a dead-letter
 * list after the last attempt. Delivery never blocks the publisher, as on AWS.
 */
export function createLocalEventBus(options: {
  busName: string;
  targets: RuleTarget[];
  maxAttempts?: number;
  baseDelayMs?: number;
  onError?: (rule: string, error: unknown, attempt: number) => void;
}) {
  const published: BusEvent[] = [];
  const deadLetters: DeadLetter[] = [];
  const timers = new Map<NodeJS.Timeout, () => void>();
  const inFlight = new Set<Promise<void>>();
  let closed = false;
  const maxAttempts = options.maxAttempts ?? 8;
  const baseDelayMs = options.baseDelayMs ?? 200;

  /** Waits before a retry; closing the bus cuts every wait short. */
  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.set(timer, resolve);
    });
  }

  /** One event to one target: retried with backoff, then dead-lettered (at once when the bus closes). */
  async function deliver(target: RuleTarget, event: BusEvent): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let error: unknown;
      try {
        await target.invoke(event);
        return;
      } catch (err) {
        error = err;
        options.onError?.(target.rule, err, attempt);
      }
      if (attempt < maxAttempts && !closed) await pause(Math.min(30_000, baseDelayMs * 2 ** (attempt - 1)));
      if (attempt >= maxAttempts || closed) {
        keepRecent(deadLetters, { event, rule: target.rule, error: String(error), attempts: attempt });
        return;
      }
    }
  }

  function start(target: RuleTarget, event: BusEvent): void {
    const run = deliver(target, event);
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
  }

  return {
    published,
    deadLetters,
    /** Resolves once every delivery under way has ended: delivered, or dead-lettered after its retries. */
    async settled(): Promise<void> {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    async handle(operation: string, body: unknown): Promise<{ status: number; body: unknown }> {
      if (operation !== 'PutEvents') {
        return {
          status: 400,
          body: { __type: 'UnknownOperationException', message: `${operation} is not emulated` },
        };
      }
      const entries = ((body as { Entries?: PutEventsEntry[] }).Entries ?? []) as PutEventsEntry[];
      const results = entries.map((entry) => {
        if (entry.EventBusName && entry.EventBusName !== options.busName) {
          return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `no bus ${entry.EventBusName}` };
        }
        let detail: Record<string, unknown>;
        try {
          detail = JSON.parse(entry.Detail ?? '{}') as Record<string, unknown>;
        } catch {
          return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not valid JSON' };
        }
        const event: BusEvent = {
          version: '0',
          id: randomUUID(),
          'detail-type': entry.DetailType ?? '',
          source: entry.Source ?? '',
          account: '000000000000',
          time: new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : Date.now()).toISOString(),
          region: 'us-east-1',
          resources: [],
          detail,
        };
        keepRecent(published, event);
        for (const target of options.targets) {
          const rule: EventRule = EVENT_RULES[target.rule];
          if (matchesPattern(rule.pattern, event.source, event['detail-type'])) start(target, event);
        }
        return { EventId: event.id };
      });
      const failed = results.filter((r) => 'ErrorCode' in r).length;
      return { status: 200, body: { FailedEntryCount: failed, Entries: results } };
    },
    async close(): Promise<void> {
      closed = true;
      for (const [timer, resume] of timers) {
        clearTimeout(timer);
        resume();
      }
      timers.clear();
      await Promise.allSettled([...inFlight]);
    },
  };
}
