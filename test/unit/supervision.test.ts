import { describe, expect, it } from 'vitest';
import { newCall } from '../../functions/core/call.ts';
import type { Call, Offer } from '../../functions/core/model.ts';
import { startOfUtcDay, supervisorStats } from '../../functions/core/use-cases/supervision.ts';

const now = new Date('2026-03-10T09:00:00.000Z');
const call = (id: string, createdAt: string, changes: Partial<Call> = {}): Call => ({
  ...newCall({ ccaasCallId: id, from: '+1', to: '+2', queue: 'q' }, 'resiliency', new Date(createdAt)),
  ...changes,
});
const offer = (status: Offer['status'], offeredAt: string, closedAt?: string): Offer => ({
  offerId: `o-${offeredAt}`,
  agentId: 'a1',
  offeredAt,
  expiresAt: offeredAt,
  status,
  ...(closedAt ? { closedAt } : {}),
});

describe('the supervisor view, from the calls of the day', () => {
  it('counts today from midnight UTC, by when each thing happened', () => {
    expect(startOfUtcDay(now)).toBe('2026-03-10T00:00:00.000Z');
    const calls = [
      // Yesterday's call, rejected and abandoned before midnight: not today's.
      call('old', '2026-03-09T23:00:00.000Z', {
        status: 'abandoned',
        endedAt: '2026-03-09T23:30:00.000Z',
        offers: [offer('rejected', '2026-03-09T23:00:01.000Z', '2026-03-09T23:00:05.000Z')],
      }),
      // Received before midnight, answered after: answered today, but no average (not received today).
      call('night', '2026-03-09T23:59:00.000Z', {
        status: 'connected',
        agentId: 'a1',
        connectedAt: '2026-03-10T00:00:30.000Z',
        offers: [offer('accepted', '2026-03-10T00:00:10.000Z', '2026-03-10T00:00:30.000Z')],
      }),
      // Today's: missed, then answered; offered after 2 s, answered after 10 s.
      call('today', '2026-03-10T08:00:00.000Z', {
        status: 'completed',
        endedAt: '2026-03-10T08:10:00.000Z',
        offers: [
          offer('missed', '2026-03-10T08:00:02.000Z', '2026-03-10T08:00:06.000Z'),
          offer('accepted', '2026-03-10T08:00:07.000Z', '2026-03-10T08:00:10.000Z'),
        ],
      }),
      // Waiting for 90 s.
      call('waiting', '2026-03-10T08:58:30.000Z', {
        waiting: { since: '2026-03-10T08:58:31.000Z', taskToken: 't' },
      }),
    ];
    const stats = supervisorStats([], calls, 0, now);
    expect(stats.today).toEqual({
      answered: 2,
      rejected: 0,
      missed: 1,
      abandoned: 0,
      overflowed: 0,
      averageTimeToOfferMs: 2000,
      averageSpeedOfAnswerMs: 10_000,
    });
    expect(stats.queues).toEqual([{ queue: 'q', waiting: 1, longestWaitSeconds: 90 }]);
    const [, night, , waiting] = calls as [Call, Call, Call, Call];
    expect(stats.liveCalls.map((c) => c.callId)).toEqual([night.callId, waiting.callId]);
  });
});
