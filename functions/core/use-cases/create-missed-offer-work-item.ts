import type { Deps } from '../deps.ts';
import type { MissedOfferDetail } from '../events.ts';
import type { EnsureInteraction } from '../steps/ensure-interaction.ts';
import { missedOfferWorkItem } from '../work-item.ts';

/**
 * Behind the rule on `call.offer_missed` (published by record-missed-offer): a missed offer is put on record.
 * Main course: the call's interaction exists (created now if it was not), and one `missed_offer` work item
 * per offer points at it. Idempotent: the event bus delivers at least once, and both writes are
 * conditional on deterministic ids. If the interaction store is down this throws and the bus retries.
 */
export function makeCreateMissedOfferWorkItem(
  deps: Pick<Deps, 'calls' | 'workItems'> & { ensureInteraction: EnsureInteraction },
) {
  const { calls, workItems, ensureInteraction } = deps;
  return async function createMissedOfferWorkItem(
    missed: MissedOfferDetail,
  ): Promise<{ workItemId: string; interactionId: string }> {
    const interaction = await ensureInteraction(missed.callId, 'missed_offer');
    const call = await calls.get(missed.callId);
    const { stored } = await workItems.create(missedOfferWorkItem(missed, call, interaction));
    return { workItemId: stored.workItemId, interactionId: interaction.interactionId };
  };
}
