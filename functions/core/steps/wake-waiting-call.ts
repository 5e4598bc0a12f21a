import { releaseFromOffer, reserve } from '../agent.ts';
import { offerIdFor, stopWaiting } from '../call.ts';
import type { Deps } from '../deps.ts';
import { AgentNotAvailableError, InvalidTransitionError } from '../errors.ts';
import type { Agent, Call } from '../model.ts';
import { bestWaitingFor, WAITING_LOOKAHEAD } from '../routing.ts';

export type HandOver = ReturnType<typeof makeHandOver>;

/**
 * Hands a free agent to a waiting call: the agent is reserved for the call's next offer (one conditional
 * write from the agent in hand), then the call is taken out of waiting with that agent held for it (one
 * waker wins that write), and its workflow resumes to offer it to that agent. Nobody else can claim the
 * agent in between, so a call arriving meanwhile cannot overtake the woken one. Returns whether the call
 * was woken; if not, the agent as it is now when it is still free for another call (the call was no
 * longer waiting, and the agent was released), or none when it was taken.
 */
export function makeHandOver({
  calls,
  agents,
  callbacks,
  clock,
  settings,
}: Pick<Deps, 'calls' | 'agents' | 'callbacks' | 'clock' | 'settings'>) {
  /** Reserves the agent for the offer, from the agent in hand: undefined if it is no longer available. */
  async function hold(agent: Agent, offer: { offerId: string; callId: string }): Promise<Agent | undefined> {
    try {
      return (await agents.tryUpdate(agent, (a) => reserve(a, offer, clock.now())))?.after;
    } catch (err) {
      if (err instanceof AgentNotAvailableError) return undefined;
      throw err;
    }
  }

  return async function handOver(
    agent: Agent,
    call: Call,
  ): Promise<{ woken: true } | { woken: false; free?: Agent }> {
    const offer = { offerId: offerIdFor(call.callId, call.offers.length + 1), callId: call.callId };
    // A lost claim may be any change of the agent since it was read (a socket added): look once more.
    let held = await hold(agent, offer);
    if (!held) {
      const fresh = await agents.get(agent.agentId);
      held = fresh?.status === 'available' && !fresh.offer ? await hold(fresh, offer) : undefined;
    }
    if (!held) return { woken: false };
    try {
      const { before } = await calls.update(
        call.callId,
        (c) => {
          // The call's next offer id is what the agent holds: a call offered since is not this one's turn.
          if (offerIdFor(c.callId, c.offers.length + 1) !== offer.offerId) {
            throw new InvalidTransitionError(`call ${c.callId} was offered meanwhile`);
          }
          return stopWaiting(c, clock.now(), agent.agentId);
        },
        call,
      );
      // If the wait timed out just now, the workflow overflows the call and frees the agent held for it.
      if (before.waiting) await callbacks.succeed(before.waiting.taskToken, { woken: true });
      return { woken: true };
    } catch (err) {
      // Not woken (no longer waiting, or the write failed): the agent is not left held for nothing.
      const { after } = await agents.update(
        agent.agentId,
        (a) => releaseFromOffer(a, offer.offerId, 'revoked', clock.now(), settings, 'superseded'),
        held,
      );
      if (!(err instanceof InvalidTransitionError)) throw err;
      return { woken: false, ...(after.status === 'available' ? { free: after } : {}) };
    }
  };
}

/**
 * An agent just became available: hand it to the first waiting call in queue order (priority, then
 * arrival) that it qualifies for, across its queues, if any. One call per available agent, so a burst of
 * agents wakes a burst of calls, each exactly once. Returns the call woken.
 */
export function makeWakeWaitingCall({ calls, handOver }: Pick<Deps, 'calls'> & { handOver: HandOver }) {
  return async function wakeWaitingCall(agent: Agent): Promise<string | undefined> {
    if (agent.status !== 'available') return undefined;
    const waiting = (
      await Promise.all(agent.queues.map((q) => calls.listWaiting(q, WAITING_LOOKAHEAD)))
    ).flat();
    let candidates = waiting;
    for (;;) {
      const next = bestWaitingFor(agent, candidates);
      if (!next) return undefined;
      const handed = await handOver(agent, next);
      if (handed.woken) return next.callId;
      if (!handed.free) return undefined;
      agent = handed.free;
      candidates = candidates.filter((c) => c.callId !== next.callId);
    }
  };
}

export type WakeWaitingCall = ReturnType<typeof makeWakeWaitingCall>;
