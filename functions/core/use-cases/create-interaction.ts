import { markInteractionPending } from '../call.ts';
import type { Deps } from '../deps.ts';
import type { AgentMessenger } from '../steps/agent-messenger.ts';
import type { EnsureInteraction } from '../steps/ensure-interaction.ts';

/**
 * The CreateInteraction workflow task, after the accept: the call's interaction and phone log. Failure path:
 * the store's error propagates, the workflow retries, then defers (InteractionDeferred).
 */
export function makeCreateInteraction({ ensureInteraction }: { ensureInteraction: EnsureInteraction }) {
  return async function createInteraction(callId: string): Promise<{ interactionId: string }> {
    const { interactionId } = await ensureInteraction(callId, 'accepted');
    return { interactionId };
  };
}

/**
 * The InteractionDeferred workflow task: creation failed after its retries. The call stays connected;
 * the interaction is marked pending (the sweeper retries it) and the agent is told, so it can open one
 * on demand once the store is back.
 */
export function makeDeferInteraction(
  deps: Pick<Deps, 'calls' | 'clock' | 'logger'> & { send: AgentMessenger },
) {
  const { calls, clock, logger, send } = deps;
  return async function deferInteraction(callId: string, reason: string): Promise<void> {
    const { after, changed } = await calls.update(callId, (c) =>
      markInteractionPending(c, reason, clock.now()),
    );
    logger.warn('interaction deferred', { callId, reason });
    if (changed && after.agentId && after.interaction.status === 'pending') {
      await send(after.agentId, {
        type: 'interactionPending',
        callId,
        reason: 'interaction_store_unavailable',
      });
    }
  };
}
