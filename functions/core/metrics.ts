import type { Call, CallStatus, OfferOutcome } from './model.ts';
import type { CallStore, Metrics } from './ports.ts';
import type { MetricName } from './vocabulary.ts';

const OFFER_METRIC: Record<OfferOutcome, MetricName> = {
  accepted: 'OfferAccepted',
  rejected: 'OfferRejected',
  missed: 'OfferMissed',
  revoked: 'OfferRevoked',
  setup_failed: 'OfferSetupFailed',
};
const CALL_METRIC: Partial<Record<CallStatus, MetricName>> = {
  completed: 'CallCompleted',
  abandoned: 'CallAbandoned',
  overflowed: 'CallOverflowed',
};

/** The milliseconds from one ISO time to another. */
export const millis = (from: string, to: string) => Date.parse(to) - Date.parse(from);

/**
 * What one change of a call means for the metrics, read from the call before and after it: offers made
 * (time to offer), offers that got their outcome (time to answer for an accept), and the call's own end.
 * Every path that changes a call goes through the store, so none is counted twice or missed.
 */
export function callMetrics(before: Call, after: Call): { name: MetricName; value: number }[] {
  const out: { name: MetricName; value: number }[] = [];
  for (const offer of after.offers) {
    const was = before.offers.find((o) => o.offerId === offer.offerId);
    // Time to offer is the caller's wait for a first agent: the first offer of the round, not each re-offer.
    const firstOfRound = !before.offers.some((o) => o.offeredAt >= after.routedAt);
    if (!was && firstOfRound)
      out.push({ name: 'TimeToOffer', value: millis(after.routedAt, offer.offeredAt) });
    if ((was?.status ?? 'pending') === 'pending' && offer.status !== 'pending') {
      out.push({ name: OFFER_METRIC[offer.status], value: 1 });
      if (offer.status === 'accepted' && offer.closedAt) {
        out.push({ name: 'TimeToAnswer', value: millis(after.createdAt, offer.closedAt) });
      }
    }
  }
  const ended = CALL_METRIC[after.status];
  if (ended && before.status !== after.status) out.push({ name: ended, value: 1 });
  return out;
}

/** The call store, with every change of a call recorded as metrics (`callMetrics`). */
export function observeCalls(calls: CallStore, metrics: Metrics): CallStore {
  return {
    ...calls,
    async update(callId, transition, known) {
      const change = await calls.update(callId, transition, known);
      if (change.changed)
        for (const { name, value } of callMetrics(change.before, change.after)) metrics.record(name, value);
      return change;
    },
  };
}
