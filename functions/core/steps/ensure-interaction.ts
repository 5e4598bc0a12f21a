import { markInteractionCreated } from '../call.ts';
import type { Deps } from '../deps.ts';
import { NotFoundError } from '../errors.ts';
import { callEvent } from '../events.ts';
import { callFacts, newInteraction, syncWithCall } from '../interaction.ts';
import type { Call, Interaction, InteractionSource } from '../model.ts';
import type { AgentMessenger } from './agent-messenger.ts';

export type EnsureInteraction = ReturnType<typeof makeEnsureInteraction>;

/**
 * Makes sure the call has its one interaction (with phone log), creating it if needed.
 * Used after accept (CreateInteraction task), before the offer in standard mode, for a missed offer, by
 * the sweeper's retries and on demand. Idempotent: the interaction id derives from the call id and the
 * create is conditional, so concurrent callers converge on one interaction. Errors of the interaction
 * store propagate: the caller decides (retry, defer, overflow) — delivery of the call never depends on it.
 */
export function makeEnsureInteraction(
  deps: Pick<Deps, 'calls' | 'interactions' | 'events' | 'clock'> & { send: AgentMessenger },
) {
  const { calls, interactions, events, clock, send } = deps;
  return async function ensureInteraction(callId: string, source: InteractionSource): Promise<Interaction> {
    const call = await calls.get(callId);
    if (!call) throw new NotFoundError(`call ${callId} not found`);
    const now = clock.now();
    const { stored, created } = await interactions.create(newInteraction(call, source, now));
    let interaction = stored;
    if (!created)
      ({ after: interaction } = await interactions.update(stored.interactionId, (i) =>
        syncWithCall(i, call, now),
      ));
    const { changed, after } = await calls.update(
      callId,
      (c) => markInteractionCreated(c, interaction.interactionId, now),
      call,
    );
    // The answering agent hears of it even when the interaction existed already (from a missed offer).
    if (after.agentId && (changed || source === 'accepted')) {
      await send(after.agentId, {
        type: 'interactionCreated',
        callId,
        interactionId: interaction.interactionId,
      });
    }
    if (created) {
      await events.publish([
        callEvent(call, 'interaction.created', interaction.interactionId, interaction.createdAt, {
          interactionId: interaction.interactionId,
          source,
        }),
      ]);
    }
    return interaction;
  };
}

export type SyncInteraction = ReturnType<typeof makeSyncInteraction>;

/**
 * Copies what the call now knows (agent, times, end, disposition) to its interaction, if it has one. Best
 * effort: the call keeps everything, so a failed sync loses nothing and the next one (end of call, transfer,
 * wrap-up) catches up.
 */
export function makeSyncInteraction({
  interactions,
  clock,
  logger,
}: Pick<Deps, 'interactions' | 'clock' | 'logger'>) {
  return async function syncInteraction(call: Call): Promise<boolean> {
    if (call.interaction.status !== 'created') return false;
    const { interactionId } = call.interaction;
    try {
      await interactions.applyFacts(interactionId, callFacts(call), clock.now());
      return true;
    } catch (err) {
      logger.warn('interaction not synced; the call keeps the data', {
        callId: call.callId,
        interactionId,
        error: String(err),
      });
      return false;
    }
  };
}
