import { isTerminal } from '../call.ts';
import type { Deps } from '../deps.ts';
import { millis } from '../metrics.ts';
import type { AgentStatus, Call, CallStatus, OfferOutcome } from '../model.ts';
import { type Caller, requireRight } from '../permissions.ts';

/** The supervisor view (`GET /v1/stats`): the contact center now, and today's counts. */
export interface SupervisorStats {
  /** When the view was taken. */
  at: string;
  agents: { agentId: string; name: string; status: AgentStatus; statusSince: string; queues: string[] }[];
  /** Every queue of an agent or of a call not ended, by name. */
  queues: { queue: string; waiting: number; longestWaitSeconds: number }[];
  /** The calls not ended yet (queued, being offered, connected), oldest first. */
  liveCalls: {
    callId: string;
    from: string;
    queue: string;
    status: CallStatus;
    agentId?: string;
    connectedAt?: string;
  }[];
  today: {
    answered: number;
    rejected: number;
    missed: number;
    abandoned: number;
    overflowed: number;
    averageTimeToOfferMs?: number;
    averageSpeedOfAnswerMs?: number;
  };
  /** Answered calls whose interaction is still to be created (counted up to `PENDING_COUNTED`). */
  interactionsPending: number;
}

/** How many pending interactions the view counts at most (the sweeper's alarm watches the rest). */
export const PENDING_COUNTED = 1000;

const average = (values: number[]) =>
  values.length ? Math.round(values.reduce((a, b) => a + b, 0) / values.length) : undefined;

/** The start of the UTC day of `now`, as ISO time: what "today" counts from. */
export function startOfUtcDay(now: Date): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString();
}

/**
 * The view, from the agents and the calls of the day (`CallStore.listSince`) as read now. Counts are by
 * when things happened: offers closed today by outcome (answered is an accepted offer), calls that
 * ended abandoned or overflowed today; the averages are over the calls received today, from arrival to
 * their first offer (time to offer) and to their first accepted one (speed of answer).
 */
export function supervisorStats(
  agents: SupervisorStats['agents'],
  calls: readonly Call[],
  interactionsPending: number,
  now: Date,
): SupervisorStats {
  const since = startOfUtcDay(now);
  const live = calls
    .filter((c) => !isTerminal(c.status))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const queueNames = new Set([...agents.flatMap((a) => a.queues), ...live.map((c) => c.queue)]);
  const queues = [...queueNames].sort().map((queue) => {
    const waiting = live.filter((c) => c.queue === queue && c.waiting);
    const oldest = waiting.reduce<string | undefined>(
      (min, c) => (min === undefined || c.routedAt < min ? c.routedAt : min),
      undefined,
    );
    return {
      queue,
      waiting: waiting.length,
      longestWaitSeconds: oldest ? Math.max(0, Math.floor(millis(oldest, now.toISOString()) / 1000)) : 0,
    };
  });
  const closedToday = (outcome: OfferOutcome) =>
    calls
      .flatMap((c) => c.offers)
      .filter((o) => o.status === outcome && o.closedAt !== undefined && o.closedAt >= since).length;
  const endedToday = (status: CallStatus) =>
    calls.filter((c) => c.status === status && c.endedAt !== undefined && c.endedAt >= since).length;
  const received = calls.filter((c) => c.createdAt >= since);
  const toFirst = (c: Call, at: string | undefined) => (at === undefined ? [] : [millis(c.createdAt, at)]);
  const averageTimeToOfferMs = average(received.flatMap((c) => toFirst(c, c.offers[0]?.offeredAt)));
  const averageSpeedOfAnswerMs = average(
    received.flatMap((c) => toFirst(c, c.offers.find((o) => o.status === 'accepted')?.closedAt)),
  );
  return {
    at: now.toISOString(),
    agents,
    queues,
    liveCalls: live.map((c) => ({
      callId: c.callId,
      from: c.from,
      queue: c.queue,
      status: c.status,
      ...(c.agentId !== undefined ? { agentId: c.agentId } : {}),
      ...(c.connectedAt !== undefined ? { connectedAt: c.connectedAt } : {}),
    })),
    today: {
      answered: closedToday('accepted'),
      rejected: closedToday('rejected'),
      missed: closedToday('missed'),
      abandoned: endedToday('abandoned'),
      overflowed: endedToday('overflowed'),
      ...(averageTimeToOfferMs !== undefined ? { averageTimeToOfferMs } : {}),
      ...(averageSpeedOfAnswerMs !== undefined ? { averageSpeedOfAnswerMs } : {}),
    },
    interactionsPending,
  };
}

/**
 * The supervisor view, read afresh on each request: a scan of the agents, a filtered scan of the calls
 * (DynamoDB reads the whole table to filter it) and a query of the pending interactions. A supervisor
 * polls every few seconds: fine for a pilot's tables, but its cost grows with every call kept. What would
 * make it O(1): counters per queue and per day kept up to date by the call store's changes (as the
 * metrics are, core/metrics.ts), and a sparse index of live calls.
 */
export function makeSupervision({ calls, agents, clock }: Pick<Deps, 'calls' | 'agents' | 'clock'>) {
  return {
    async stats(caller: Caller): Promise<SupervisorStats> {
      requireRight(caller, 'readStats', 'the supervisor view');
      const now = clock.now();
      const [all, today, pending] = await Promise.all([
        agents.list(),
        calls.listSince(startOfUtcDay(now)),
        calls.listInteractionPending(PENDING_COUNTED),
      ]);
      const view = all
        .map(({ agentId, name, status, statusSince, queues }) => ({
          agentId,
          name,
          status,
          statusSince,
          queues,
        }))
        .sort((a, b) => a.agentId.localeCompare(b.agentId));
      return supervisorStats(view, today, pending.length, now);
    },
  };
}
