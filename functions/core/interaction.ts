import { durationSeconds } from './call.ts';
import type { Call, Interaction, InteractionSource, PhoneLog } from './model.ts';

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
 * What a call dictates of its interaction: who answered, when it connected and ended, why and by whom, the
 * disposition, and `closed` once it ended. Not the conversation: the interaction shows the call's own. The
 * store writes these fields and nothing else (`InteractionStore.applyFacts`), so it needs no read first.
 */
export interface CallFacts {
  status?: 'closed';
  agentId?: string;
  disposition?: string;
  phoneLog: Partial<
    Pick<PhoneLog, 'agentId' | 'connectedAt' | 'endedAt' | 'durationSeconds' | 'endReason' | 'endedBy'>
  >;
}

export function callFacts(call: Call): CallFacts {
  const duration = durationSeconds(call);
  return {
    ...(call.endedAt ? { status: 'closed' as const } : {}),
    ...(call.agentId ? { agentId: call.agentId } : {}),
    ...(call.disposition ? { disposition: call.disposition } : {}),
    phoneLog: {
      ...(call.agentId ? { agentId: call.agentId } : {}),
      ...(call.connectedAt ? { connectedAt: call.connectedAt } : {}),
      ...(call.endedAt ? { endedAt: call.endedAt } : {}),
      ...(duration !== undefined ? { durationSeconds: duration } : {}),
      ...(call.endReason ? { endReason: call.endReason } : {}),
      ...(call.endedBy ? { endedBy: call.endedBy } : {}),
    },
  };
}

/** The interaction with the call's facts written over it; the same object when that changes nothing. */
export function applyFacts(interaction: Interaction, facts: CallFacts, now: Date): Interaction {
  const next: Interaction = {
    ...interaction,
    ...facts,
    phoneLog: { ...interaction.phoneLog, ...facts.phoneLog },
  };
  if (JSON.stringify(next) === JSON.stringify(interaction)) return interaction;
  return { ...next, updatedAt: now.toISOString() };
}

/** An existing interaction brought up to date with the call. */
export function syncWithCall(interaction: Interaction, call: Call, now: Date): Interaction {
  return applyFacts(interaction, callFacts(call), now);
}
