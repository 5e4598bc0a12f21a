import type { MissedOfferDetail } from './events.ts';
import type { Call, Interaction, WorkItem } from './model.ts';

/**
 * Pure construction of work items. Each id derives from what it records (the offer, the call), so creating
 * one twice, however often an event is delivered or a task retried, finds the first.
 */

/** A missed offer on record: one per offer, pointing at the interaction of its call. */
export function missedOfferWorkItem(
  missed: MissedOfferDetail,
  call: Call | undefined,
  interaction: Interaction,
): WorkItem {
  return {
    workItemId: `wi_missed_${missed.offerId}`,
    type: 'missed_offer',
    status: 'open',
    callId: missed.callId,
    offerId: missed.offerId,
    agentId: missed.agentId,
    interactionId: interaction.interactionId,
    queue: call?.queue ?? interaction.phoneLog.queue,
    phone: call?.from ?? interaction.phone,
    createdAt: missed.at,
    reason: `offer to ${missed.agentId} timed out`,
  };
}

/** A caller who left the queue unanswered, to be called back: one per call. */
export function callbackWorkItem(call: Call & Required<Pick<Call, 'endReason'>>, at: string): WorkItem {
  return {
    workItemId: `wi_callback_${call.callId}`,
    type: 'callback',
    status: 'open',
    callId: call.callId,
    queue: call.queue,
    phone: call.from,
    createdAt: at,
    reason: call.endReason,
  };
}
