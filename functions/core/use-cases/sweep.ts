import { expirePresence, releaseFromOffer } from '../agent.ts';
import { markInteractionPending } from '../call.ts';
import type { EnsureInteraction } from './create-interaction.ts';
import type { Deps } from './deps.ts';
import type { WakeWaitingCall } from './wait-for-agent.ts';

const RESERVATION_GRACE_MS = 30_000;

/** Backoff between automatic retries of a pending interaction: 2, 4, 8 ... seconds, at most 5 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.max(1, attempts));
}

/**
 * The scheduled repair pass. (1) Answered calls whose interaction is pending get it created, with backoff,
 * so after a CRM outage every answered call gets its interaction without anyone clicking. (2) Time-driven
 * presence: wrap-ups that ran WRAP_UP_SECONDS end, agents without a socket for the grace period go
 * offline. (3) An agent left reserved for an offer that is no longer pending (a crash between the two
 * writes that end an offer) is freed.
 */
export function makeSweep(
  deps: Pick<Deps, 'calls' | 'agents' | 'clock' | 'settings' | 'logger'> & {
    ensureInteraction: EnsureInteraction;
    wakeWaitingCall: WakeWaitingCall;
  },
) {
  const { calls, agents, clock, settings, logger, ensureInteraction, wakeWaitingCall } = deps;
  return async function sweep(): Promise<{
    interactionsCreated: number;
    interactionsFailed: number;
    agentsFreed: number;
    presenceChanged: number;
  }> {
    const result = { interactionsCreated: 0, interactionsFailed: 0, agentsFreed: 0, presenceChanged: 0 };
    for (const call of await calls.listInteractionPending(50)) {
      if (call.interaction.status !== 'pending') continue;
      const due = Date.parse(call.updatedAt) + retryDelaySeconds(call.interaction.attempts) * 1000;
      if (call.interaction.attempts > 1 && due > clock.now().getTime()) continue;
      try {
        await ensureInteraction(call.callId, 'retry');
        result.interactionsCreated++;
      } catch (err) {
        result.interactionsFailed++;
        await calls.update(call.callId, (c) => markInteractionPending(c, String(err), clock.now()));
      }
    }
    for (const agent of await agents.list()) {
      const presence = await agents.update(agent.agentId, (a) => expirePresence(a, clock.now(), settings));
      if (presence.changed) {
        result.presenceChanged++;
        await wakeWaitingCall(presence.after);
      }
      if (agent.status !== 'reserved' || !agent.offer) continue;
      // A young reservation may simply not have its offer written yet.
      if (clock.now().getTime() - Date.parse(agent.statusSince) < RESERVATION_GRACE_MS) continue;
      const { callId, offerId } = agent.offer;
      const call = await calls.get(callId);
      const offer = call?.offers.find((o) => o.offerId === offerId);
      if (offer?.status === 'pending') continue;
      const outcome = offer?.status ?? 'revoked';
      const { changed } = await agents.update(agent.agentId, (a) =>
        releaseFromOffer(a, offerId, outcome, clock.now(), settings, 'repair'),
      );
      if (changed) {
        result.agentsFreed++;
        logger.warn('freed an agent left reserved', { agentId: agent.agentId, offerId, outcome });
      }
    }
    return result;
  };
}
