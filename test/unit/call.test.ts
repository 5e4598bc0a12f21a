import { describe, expect, it } from 'vitest';
import {
  acceptSeq,
  addConversation,
  applyControl,
  bridgeFailed,
  callIdFor,
  callIdOfOffer,
  closeOffer,
  durationSeconds,
  endCall,
  markInteractionCreated,
  markInteractionPending,
  newCall,
  openOffer,
  overflowCall,
  startWaiting,
  stopWaiting,
  transferCall,
} from '../../functions/core/call.ts';
import {
  CallEndedError,
  InteractionRequiredError,
  InvalidTransitionError,
  OfferClosedError,
} from '../../functions/core/errors.ts';
import type { Call } from '../../functions/core/model.ts';

const t0 = new Date('2026-03-01T12:00:00Z');
const later = (s: number) => new Date(t0.getTime() + s * 1000);
const fresh = () =>
  newCall({ ccaasCallId: 'cc-1', from: '+15550001', to: '+15550002', queue: 'support' }, 'resiliency', t0);
const offered = (agentId = 'a1', call: Call = fresh()) =>
  openOffer(call, { agentId, taskToken: 'tok', timeoutSeconds: 20, now: later(1) });

describe('call transitions', () => {
  it('derives the same call id from the same CCaaS call id, and different ids otherwise', () => {
    expect(callIdFor('x')).toBe(callIdFor('x'));
    expect(callIdFor('x')).not.toBe(callIdFor('y'));
    expect(callIdFor('x')).toMatch(/^call_[0-9a-f]{26}$/);
  });

  it('names the call of an offer id and refuses ids that are not offer ids', () => {
    const call = offered();
    expect(callIdOfOffer(call.offers[0]?.offerId ?? '')).toBe(call.callId);
    expect(callIdOfOffer('nodot')).toBeUndefined();
    expect(callIdOfOffer('call_x.notanumber')).toBeUndefined();
  });

  it('opens an offer with its expiry and puts the call in offering', () => {
    const call = offered();
    expect(call.status).toBe('offering');
    expect(call.offers).toEqual([
      expect.objectContaining({
        agentId: 'a1',
        status: 'pending',
        expiresAt: later(21).toISOString(),
        taskToken: 'tok',
      }),
    ]);
  });

  it('refuses a second offer while one is pending', () => {
    expect(() => offered('a2', offered())).toThrow(InvalidTransitionError);
  });

  it('connects the call on accept', () => {
    const call = offered();
    const accepted = closeOffer(call, call.offers[0]?.offerId ?? '', 'accepted', later(3));
    expect(accepted).toMatchObject({
      status: 'connected',
      agentId: 'a1',
      connectedAt: later(3).toISOString(),
    });
  });

  it('ends each offer exactly once', () => {
    const call = offered();
    const offerId = call.offers[0]?.offerId ?? '';
    const missed = closeOffer(call, offerId, 'missed', later(21));
    expect(() => closeOffer(missed, offerId, 'accepted', later(21))).toThrow(OfferClosedError);
    expect(() => closeOffer(missed, 'call_x.9', 'accepted', later(21))).toThrow(OfferClosedError);
  });

  it.each(['rejected', 'missed'] as const)(
    'requeues the call and excludes the agent when the offer is %s',
    (outcome) => {
      const call = offered();
      const next = closeOffer(call, call.offers[0]?.offerId ?? '', outcome, later(2));
      expect(next.status).toBe('queued');
      expect(next.excludedAgents).toEqual(['a1']);
    },
  );

  it('requeues without excluding the agent when the offer is revoked', () => {
    const call = offered();
    const next = closeOffer(call, call.offers[0]?.offerId ?? '', 'revoked', later(2), 'agent_unreachable');
    expect(next).toMatchObject({ status: 'queued', excludedAgents: [] });
    expect(next.offers[0]).toMatchObject({ status: 'revoked', reason: 'agent_unreachable' });
  });

  it('abandons a call that ends before it connected, revoking its pending offer', () => {
    const ended = endCall(offered(), 'caller_hangup', 'caller', later(5));
    expect(ended).toMatchObject({ status: 'abandoned', endReason: 'caller_hangup' });
    expect(ended.offers[0]).toMatchObject({ status: 'revoked', reason: 'caller_hangup' });
  });

  it('completes a connected call and measures its duration; ending twice changes nothing', () => {
    const call = offered();
    const connected = closeOffer(call, call.offers[0]?.offerId ?? '', 'accepted', later(3));
    const ended = endCall(connected, 'ended', 'caller', later(63));
    expect(ended.status).toBe('completed');
    expect(durationSeconds(ended)).toBe(60);
    expect(endCall(ended, 'caller_hangup', 'caller', later(99))).toBe(ended);
  });

  it('refuses an accept after the call ended', () => {
    const call = offered();
    const abandoned = { ...endCall(call, 'caller_hangup', 'caller', later(2)), offers: call.offers };
    expect(() => closeOffer(abandoned, call.offers[0]?.offerId ?? '', 'accepted', later(3))).toThrow(
      CallEndedError,
    );
  });

  it('waits and is woken once', () => {
    const waiting = startWaiting(fresh(), 'wt', later(1));
    expect(waiting.waiting).toEqual({ since: later(1).toISOString(), taskToken: 'wt' });
    const woken = stopWaiting(waiting, later(2), 'a1');
    expect(woken.waiting).toBeUndefined();
    expect(woken.heldAgentId).toBe('a1');
    expect(() => stopWaiting(woken, later(3), 'a2')).toThrow(InvalidTransitionError);
  });

  it('overflows an open call and refuses to overflow an ended one', () => {
    expect(overflowCall(startWaiting(fresh(), 'wt', later(1)), 'max_queue_time', later(300))).toMatchObject({
      status: 'overflowed',
      endReason: 'max_queue_time',
      waiting: undefined,
    });
    expect(() =>
      overflowCall(endCall(fresh(), 'caller_hangup', 'caller', later(1)), 'routing_error', later(2)),
    ).toThrow(CallEndedError);
  });

  it('counts interaction attempts while pending, and keeps a created interaction', () => {
    const once = markInteractionPending(fresh(), 'down', later(1));
    const twice = markInteractionPending(once, 'down', later(2));
    expect(twice.interaction).toMatchObject({
      status: 'pending',
      attempts: 2,
      since: later(1).toISOString(),
    });
    const created = markInteractionCreated(twice, 'int_1', later(3));
    expect(created.interaction).toEqual({ status: 'created', interactionId: 'int_1' });
    expect(markInteractionPending(created, 'down', later(4))).toBe(created);
  });

  it('applies CCaaS events only with a higher seq', () => {
    const call = acceptSeq(fresh(), 3) as Call;
    expect(call.lastEventSeq).toBe(3);
    expect(acceptSeq(call, 3)).toBeUndefined();
    expect(acceptSeq(call, 2)).toBeUndefined();
  });

  it('mutes and holds only a connected call', () => {
    const call = offered();
    const connected = closeOffer(call, call.offers[0]?.offerId ?? '', 'accepted', later(3));
    expect(applyControl(connected, 'muted', later(4), 'ccaas')).toMatchObject({ muted: true, held: false });
    expect(applyControl(connected, 'held', later(4), 'ccaas')).toMatchObject({ muted: false, held: true });
    expect(() => applyControl(call, 'muted', later(4), 'ccaas')).toThrow(InvalidTransitionError);
  });
});

describe('the entries of a call (timeline and conversation)', () => {
  it('numbers each entry after the last one the call had, one count for both lists', () => {
    const call = offered();
    const noted = addConversation(
      call,
      { at: later(2).toISOString(), kind: 'note', by: 'a1', text: 'hi' },
      later(3),
    );

    expect(noted.entryCount).toBe(3);
    // The entry keeps its author's time; the call's last change is on our clock.
    expect(noted.updatedAt).toBe(later(3).toISOString());
    expect(noted.newEntries).toEqual([
      { n: 1, list: 'timeline', entry: { at: t0.toISOString(), type: 'received', detail: 'queue support' } },
      { n: 2, list: 'timeline', entry: expect.objectContaining({ type: 'offered', agentId: 'a1' }) },
      {
        n: 3,
        list: 'conversation',
        entry: { at: later(2).toISOString(), kind: 'note', by: 'a1', text: 'hi' },
      },
    ]);
  });

  it('gives a change only the entries it adds, whatever the call had before', () => {
    const stored = { ...offered(), newEntries: [] };
    const accepted = closeOffer(stored, stored.offers[0]?.offerId ?? '', 'accepted', later(3));

    expect(accepted.newEntries).toEqual([
      { n: 3, list: 'timeline', entry: expect.objectContaining({ type: 'offer_accepted', agentId: 'a1' }) },
    ]);
  });

  it('adds no entry when a transition changes nothing', () => {
    const ended = endCall(offered(), 'caller_hangup', 'caller', later(5));
    const stored = { ...ended, newEntries: [] };

    expect(endCall(stored, 'ended', 'ccaas', later(6))).toBe(stored);
    expect(
      markInteractionCreated(markInteractionCreated(stored, 'i', later(7)), 'j', later(8)).entryCount,
    ).toBe(ended.entryCount + 1);
  });
});

describe('routing a connected call again', () => {
  const connected = () => {
    const call = offered();
    return markInteractionCreated(
      closeOffer(call, call.offers[0]?.offerId ?? '', 'accepted', later(3)),
      'int_1',
      later(4),
    );
  };

  it('transfers to a queue: requeued in a new round, the transferring agent excluded, first answer time kept', () => {
    const moved = transferCall(connected(), { byAgentId: 'a1', queue: 'billing', now: later(60) });
    expect(moved).toMatchObject({
      status: 'queued',
      queue: 'billing',
      route: 1,
      routedAt: later(60).toISOString(),
      excludedAgents: ['a1'],
      agentId: undefined,
      connectedAt: later(3).toISOString(),
    });
  });

  it('refuses a transfer without an interaction, or by someone else', () => {
    const call = offered();
    const noInteraction = closeOffer(call, call.offers[0]?.offerId ?? '', 'accepted', later(3));
    expect(() => transferCall(noInteraction, { byAgentId: 'a1', queue: 'q', now: later(9) })).toThrow(
      InteractionRequiredError,
    );
    expect(() => transferCall(connected(), { byAgentId: 'a2', queue: 'q', now: later(9) })).toThrow(
      InvalidTransitionError,
    );
  });

  it('sends a call targeted at one agent back to the queue when that agent rejects it', () => {
    const targeted = transferCall(connected(), { byAgentId: 'a1', agentId: 'a2', now: later(60) });
    expect(targeted.targetAgentId).toBe('a2');
    const offeredToTarget = openOffer(targeted, {
      agentId: 'a2',
      taskToken: 't2',
      timeoutSeconds: 20,
      now: later(61),
    });
    const rejected = closeOffer(
      offeredToTarget,
      offeredToTarget.offers[1]?.offerId ?? '',
      'rejected',
      later(62),
    );
    expect(rejected).toMatchObject({ status: 'queued', targetAgentId: undefined });
  });

  it('fails the accepted offer when the bridge fails, and routes the call again', () => {
    const call = offered();
    const accepted = closeOffer(call, call.offers[0]?.offerId ?? '', 'accepted', later(3));
    const failed = bridgeFailed(accepted, later(4), 'no audio');
    expect(failed).toMatchObject({ status: 'queued', agentId: undefined, connectedAt: undefined, route: 1 });
    expect(failed.offers[0]).toMatchObject({ status: 'setup_failed', reason: 'no audio' });
    expect(failed.excludedAgents).toEqual(['a1']);
    expect(() => bridgeFailed(failed, later(5))).toThrow(InvalidTransitionError);
  });
});
