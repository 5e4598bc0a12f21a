import type { OfferMissedDetail } from '../events.ts';
import type { EnsureInteraction } from './create-interaction.ts';
import type { Deps } from './deps.ts';

/**
 * Behind the OfferMissed rule: a missed offer is put on record.
 * Main course: the call's interaction exists (created now if it was not), and one `missed_offer` work item
 * per offer points at it. Idempotent: the event bus delivers at least once, and both writes are
 * conditional on deterministic ids. If the interaction store is down this throws and the bus retries.
 */
export function makeRecordMissedOffer(
  deps: Pick<Deps, 'calls' | 'workItems'> & { ensureInteraction: EnsureInteraction },
) {
  const { calls, workItems, ensureInteraction } = deps;
  return async function recordMissedOffer(
    detail: OfferMissedDetail,
  ): Promise<{ workItemId: string; interactionId: string }> {
    const interaction = await ensureInteraction(detail.callId, 'missed_offer');
    const call = await calls.get(detail.callId);
    const workItemId = `wi_missed_${detail.offerId}`;
    await workItems.create({
      workItemId,
      type: 'missed_offer',
      status: 'open',
      callId: detail.callId,
      offerId: detail.offerId,
      agentId: detail.agentId,
      interactionId: interaction.interactionId,
      queue: call?.queue ?? 'unknown',
      phone: call?.from ?? interaction.phone,
      createdAt: detail.at,
      reason: `offer to ${detail.agentId} timed out`,
    });
    return { workItemId, interactionId: interaction.interactionId };
  };
}
