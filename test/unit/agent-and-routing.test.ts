import { describe, expect, it } from 'vitest';
import {
  addConnection,
  chooseStatus,
  expirePresence,
  finishCall,
  newAgent,
  releaseFromOffer,
  removeConnections,
  reserve,
} from '../../functions/core/agent.ts';
import { AgentNotAvailableError, InvalidTransitionError } from '../../functions/core/errors.ts';
import type { Agent } from '../../functions/core/model.ts';
import { bestWaitingFor, rankCandidates } from '../../functions/core/routing.ts';
import { overflowReason } from '../../functions/core/use-cases/overflow-call.ts';
import { retryDelaySeconds } from '../../functions/core/use-cases/sweep.ts';

const t0 = new Date('2026-03-01T12:00:00Z');
const settings = { missedOfferStatus: 'not_responding' as const };
const available = (agentId: string, idleSince: string, queues = ['support']): Agent => ({
  ...addConnection(newAgent(agentId, { name: agentId, queues, autoAccept: false }, t0), `conn-${agentId}`),
  status: 'available',
  idleSince,
});
const call = { queue: 'support', excludedAgents: [] as string[] };

describe('agent transitions', () => {
  it('starts offline with no connection', () => {
    expect(newAgent('a', { name: 'A', queues: ['q'], autoAccept: false }, t0)).toMatchObject({
      status: 'offline',
      connections: [],
    });
  });

  it('reserves an available agent once', () => {
    const reserved = reserve(available('a', '1'), { offerId: 'c.1', callId: 'c' }, t0);
    expect(reserved).toMatchObject({ status: 'reserved', offer: { offerId: 'c.1', callId: 'c' } });
    expect(() => reserve(reserved, { offerId: 'd.1', callId: 'd' }, t0)).toThrow(AgentNotAvailableError);
  });

  it.each([
    ['accepted', undefined, 'on_call'],
    ['rejected', undefined, 'available'],
    ['missed', undefined, 'not_responding'],
    ['revoked', 'caller_hangup', 'available'],
    ['revoked', 'agent_unreachable', 'offline'],
    ['revoked', 'agent_away', 'away'],
    ['setup_failed', undefined, 'available'],
  ] as const)('frees the agent after an offer %s (%s) as %s', (outcome, reason, status) => {
    const reserved = reserve(available('a', '2026-03-01T11:00:00.000Z'), { offerId: 'c.1', callId: 'c' }, t0);
    expect(
      releaseFromOffer(reserved, 'c.1', outcome, new Date('2026-03-01T12:05:00Z'), settings, reason).status,
    ).toBe(status);
  });

  it('keeps the idle place of an agent whose offer was revoked, and resets it after a reject', () => {
    const reserved = reserve(available('a', '2026-03-01T11:00:00.000Z'), { offerId: 'c.1', callId: 'c' }, t0);
    const later = new Date('2026-03-01T12:05:00Z');
    expect(releaseFromOffer(reserved, 'c.1', 'revoked', later, settings, 'caller_hangup').idleSince).toBe(
      '2026-03-01T11:00:00.000Z',
    );
    expect(releaseFromOffer(reserved, 'c.1', 'rejected', later, settings).idleSince).toBe(
      later.toISOString(),
    );
  });

  it('ignores a release for another offer', () => {
    const reserved = reserve(available('a', '1'), { offerId: 'c.1', callId: 'c' }, t0);
    expect(releaseFromOffer(reserved, 'other.1', 'missed', t0, settings)).toBe(reserved);
  });

  it('moves to wrap-up when its call ends, and from there to available', () => {
    const onCall = releaseFromOffer(
      reserve(available('a', '1'), { offerId: 'c.1', callId: 'c' }, t0),
      'c.1',
      'accepted',
      t0,
      settings,
    );
    const wrapUp = finishCall(onCall, 'c', t0);
    expect(wrapUp.status).toBe('wrap_up');
    expect(chooseStatus(wrapUp, 'available', t0)).toMatchObject({ status: 'available', callId: undefined });
    expect(() => chooseStatus(onCall, 'away', t0)).toThrow(InvalidTransitionError);
  });
});

describe('routing policy', () => {
  it('ranks the longest-idle connected available agent of the queue first, excluding who rejected or missed', () => {
    const agents = [
      available('recent', '2026-03-01T11:59:00Z'),
      available('oldest', '2026-03-01T09:00:00Z'),
      available('middle', '2026-03-01T10:00:00Z'),
      available('other-queue', '2026-03-01T08:00:00Z', ['sales']),
      { ...available('away', '2026-03-01T07:00:00Z'), status: 'away' as const },
      { ...available('no-socket', '2026-03-01T07:00:00Z'), connections: [] },
    ];
    expect(rankCandidates(agents, call).map((a) => a.agentId)).toEqual(['oldest', 'middle', 'recent']);
    expect(rankCandidates(agents, { ...call, excludedAgents: ['oldest'] }).map((a) => a.agentId)).toEqual([
      'middle',
      'recent',
    ]);
  });

  it('picks the longest-waiting call an agent may take', () => {
    const agent = available('a', '1', ['support', 'sales']);
    const waiting = (callId: string, queue: string, since: string, excludedAgents: string[] = []) =>
      ({ callId, queue, excludedAgents, routedAt: since, waiting: { since, taskToken: 't' } }) as never;
    const picked = bestWaitingFor(agent, [
      waiting('young', 'support', '2026-03-01T12:00:00Z'),
      waiting('old-but-rejected', 'support', '2026-03-01T10:00:00Z', ['a']),
      waiting('old', 'sales', '2026-03-01T11:00:00Z'),
      waiting('other-queue', 'billing', '2026-03-01T09:00:00Z'),
    ]);
    expect(picked).toMatchObject({ callId: 'old' });
  });

  it('names the overflow reason from the error that ended routing', () => {
    expect(overflowReason({ Error: 'States.Timeout' })).toBe('max_queue_time');
    expect(overflowReason({ Error: 'QueueTimeExceeded' })).toBe('max_queue_time');
    expect(overflowReason({ Error: 'InteractionUnavailable' })).toBe('interaction_unavailable');
    expect(overflowReason({ Error: 'Lambda.Unknown' })).toBe('routing_error');
    expect(overflowReason(undefined)).toBe('routing_error');
  });

  it('backs off interaction retries exponentially up to five minutes', () => {
    expect([1, 2, 3, 8, 9, 20].map(retryDelaySeconds)).toEqual([2, 4, 8, 256, 300, 300]);
  });
});

describe('time-driven presence', () => {
  const presence = { wrapUpSeconds: 60, agentOfflineGraceSeconds: 30 };
  const at = (s: number) => new Date(t0.getTime() + s * 1000);

  it('ends a wrap-up after WRAP_UP_SECONDS, not before', () => {
    const wrapUp: Agent = {
      ...available('w', '1'),
      status: 'wrap_up',
      statusSince: t0.toISOString(),
      callId: 'c',
    };
    expect(expirePresence(wrapUp, at(59), presence)).toBe(wrapUp);
    expect(expirePresence(wrapUp, at(60), presence)).toMatchObject({
      status: 'available',
      callId: undefined,
    });
  });

  it('sets an idle agent with no socket offline after the grace period, and leaves a connected one alone', () => {
    const gone = removeConnections(available('g', '1'), ['conn-g'], t0);
    expect(gone.disconnectedAt).toBe(t0.toISOString());
    expect(expirePresence(gone, at(29), presence)).toBe(gone);
    expect(expirePresence(gone, at(30), presence).status).toBe('offline');
    const back = addConnection(gone, 'conn-g2');
    expect(back.disconnectedAt).toBeUndefined();
    expect(expirePresence(back, at(300), presence)).toBe(back);
  });

  it('never sets an agent on a call offline for a lost socket', () => {
    const onCall: Agent = {
      ...removeConnections(available('o', '1'), ['conn-o'], t0),
      status: 'on_call',
      callId: 'c',
    };
    expect(expirePresence(onCall, at(3600), presence)).toBe(onCall);
  });
});
