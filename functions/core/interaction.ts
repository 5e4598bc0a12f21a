import { durationSeconds } from './call.ts';
import type { Call, Interaction, InteractionSource } from './model.ts';

/** Pure construction of interactions and their phone logs from a call. */

/** One interaction per call: its id derives from the call id, and creation is conditional on it. */
function interactionIdFor(callId: string): string {
  return `int_${callId.replace(/^call_/, '')}`;
}

export function newInteraction(call: Call, source: InteractionSource, now: Date): Interaction {
  const at = now.toISOString();
  const base: Interaction = {
    interactionId: interactionIdFor(call.callId),
    callId: call.callId,
    phone: call.from,
    channel: 'voice',
    status: 'open',
    source,
    createdAt: at,
    updatedAt: at,
    phoneLog: {
      from: call.from,
      to: call.to,
      queue: call.queue,
      receivedAt: call.createdAt,
    },
  };
  // Created late (after an outage), it still records everything the call has done so far.
  return { ...syncWithCall(base, call, now), updatedAt: at };
}

/**
 * Brings an existing interaction up to date with the call: who answered, when it connected and ended, the
 * disposition. Not the conversation: the interaction shows the call's own.
 */
export function syncWithCall(interaction: Interaction, call: Call, now: Date): Interaction {
  const phoneLog = {
    ...interaction.phoneLog,
    ...(call.agentId ? { agentId: call.agentId } : {}),
    ...(call.connectedAt ? { connectedAt: call.connectedAt } : {}),
    ...(call.endedAt ? { endedAt: call.endedAt } : {}),
  };
  const duration = durationSeconds(call);
  if (duration !== undefined) phoneLog.durationSeconds = duration;
  if (call.endReason) phoneLog.endReason = call.endReason;
  if (call.endedBy) phoneLog.endedBy = call.endedBy;
  const status = call.endedAt ? 'closed' : interaction.status;
  const agentId = call.agentId ?? interaction.agentId;
  const next: Interaction = {
    ...interaction,
    status,
    phoneLog,
    ...(agentId ? { agentId } : {}),
    ...(call.disposition ? { disposition: call.disposition } : {}),
  };
  if (JSON.stringify(next) === JSON.stringify(interaction)) return interaction;
  return { ...next, updatedAt: now.toISOString() };
}
