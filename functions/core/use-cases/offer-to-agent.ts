import { canTake, confirmHold, isHeldFor, releaseFromOffer, reserve } from '../agent.ts';
import { clearTarget, isRoutedBy, lastOffer, offerIdFor, openOffer, pendingOffer } from '../call.ts';
import type { Deps } from '../deps.ts';
import {
  AgentNotAvailableError,
  CallEndedError,
  InvalidTransitionError,
  roundOver,
  WorkflowErrors,
  WorkflowSignal,
} from '../errors.ts';
import { callEvent } from '../events.ts';
import { offerView } from '../messages.ts';
import type { Agent, Call } from '../model.ts';
import { rankCandidates, spreadPick, WAITING_LOOKAHEAD, waitingAheadFor } from '../routing.ts';
import type { AgentMessenger } from '../steps/agent-messenger.ts';
import type { CloseOffer } from '../steps/close-offer.ts';
import type { EnsureInteraction } from '../steps/ensure-interaction.ts';
import type { HandOver, WakeWaitingCall } from '../steps/wake-waiting-call.ts';
import type { AcceptOffer } from './accept-offer.ts';

/**
 * The OfferToAgent workflow task: offer the call to the best agent and leave the task waiting on its token.
 * Main course: a call woken with an agent held for it goes to that agent; otherwise rank candidates and
 * claim the first that can still be claimed (one conditional write from the listing; after a lost claim,
 * one of the rest picked by the call's id), record the offer with its token on the call, push the offer to
 * the agent's sockets. Auto-accept agents accept at once. Failure paths: nobody free → NoAgentAvailable
 * (the workflow waits in queue); the call ended meanwhile → CallEnded; an agent with no live socket has its
 * offer revoked (agent_unreachable) and the next candidate is tried in the same invocation. In standard
 * mode the interaction must exist first. No overtaking: an agent who could take a call waiting ahead of
 * this one (higher priority, or the same and there earlier) is handed over to that call instead.
 */
export function makeOfferToAgent(
  deps: Pick<Deps, 'calls' | 'agents' | 'callbacks' | 'events' | 'clock' | 'settings' | 'logger'> & {
    send: AgentMessenger;
    closeOffer: CloseOffer;
    acceptOffer: AcceptOffer;
    ensureInteraction: EnsureInteraction;
    handOver: HandOver;
    wakeWaitingCall: WakeWaitingCall;
  },
) {
  const { calls, agents, callbacks, events, clock, settings, logger, send, closeOffer, acceptOffer } = deps;
  const { ensureInteraction, handOver, wakeWaitingCall } = deps;

  /**
   * Offers the call (as in hand: a stale one costs a failed write and a read) to one candidate, claimed by
   * one conditional write from the agent as listed. Returns undefined when the call was offered, else the
   * call as it is after and whether the claim was lost (the agent changed since it was listed: most often
   * another call took it at the same moment).
   */
  async function tryAgent(
    call: Call,
    agent: Agent,
    taskToken: string,
  ): Promise<{ call: Call; lost: boolean } | undefined> {
    const offerId = offerIdFor(call.callId, call.offers.length + 1);
    // An agent held for this offer (handed over with the wake-up) is confirmed by a write of its own, which
    // fails if the sweep freed it or it went away meanwhile; any other is reserved.
    const claim = isHeldFor(agent, offerId)
      ? (a: Agent) => confirmHold(a, offerId, clock.now())
      : (a: Agent) => reserve(a, { offerId, callId: call.callId }, clock.now());
    let reserved: Agent | undefined;
    try {
      reserved = (await agents.tryUpdate(agent, claim))?.after;
    } catch (err) {
      if (!(err instanceof AgentNotAvailableError)) throw err;
    }
    if (!reserved) return { call, lost: true };
    let offered: Call;
    try {
      ({ after: offered } = await calls.update(
        call.callId,
        (c) => {
          // One execution offers a call at a time, so its offers do not change under us; if they did, the
          // agent holds another offer id than this one would get: fail the attempt (the task is retried).
          if (offerIdFor(c.callId, c.offers.length + 1) !== offerId) {
            throw new InvalidTransitionError(`call ${c.callId} was offered meanwhile`);
          }
          return openOffer(c, {
            agentId: agent.agentId,
            taskToken,
            timeoutSeconds: settings.offerTimeoutSeconds,
            now: clock.now(),
          });
        },
        call,
      ));
    } catch (err) {
      const released = await agents.update(
        agent.agentId,
        (a) => releaseFromOffer(a, offerId, 'revoked', clock.now(), settings, 'superseded'),
        reserved,
      );
      if (released.changed) await wakeWaitingCall(released.after);
      if (err instanceof CallEndedError) throw new WorkflowSignal(WorkflowErrors.CallEnded, err.message);
      throw err;
    }
    const offer = lastOffer(offered);
    if (!offer) throw new Error('offer vanished');
    if (agent.autoAccept) {
      await acceptOffer(agent.agentId, offer.offerId);
      return undefined;
    }
    const delivered = await send(reserved, { type: 'offer', ...offerView(offered, offer) });
    if (!delivered) {
      logger.warn('agent unreachable, offer revoked', { callId: call.callId, agentId: agent.agentId });
      const closed = await closeOffer(call.callId, offer.offerId, 'revoked', 'agent_unreachable', offered);
      return { call: closed.call, lost: false };
    }
    await events.publish([
      callEvent(offered, 'call.offered', offer.offerId, offer.offeredAt, {
        offerId: offer.offerId,
        agentId: agent.agentId,
        expiresAt: offer.expiresAt,
      }),
    ]);
    return undefined;
  }

  return async function offerToAgent(callId: string, taskToken: string, route = 0): Promise<void> {
    const found = await calls.get(callId);
    if (!isRoutedBy(found, route)) throw roundOver(callId);
    let call: Call = found;
    if (call.status === 'connected') {
      // A retried attempt whose earlier attempt auto-accepted: go on to the interaction.
      await callbacks.succeed(taskToken, { outcome: 'accepted' });
      return;
    }
    const stale = pendingOffer(call);
    if (stale) {
      // A retried task attempt: the earlier attempt's token is dead, so its offer cannot be answered.
      ({ call } = await closeOffer(callId, stale.offerId, 'revoked', 'superseded', call));
      if (stale.taskToken) await callbacks.fail(stale.taskToken, WorkflowErrors.OfferRevoked, 'superseded');
    }
    if (call.mode === 'standard' && call.interaction.status !== 'created') {
      try {
        await ensureInteraction(callId, 'standard_mode');
      } catch (err) {
        throw new WorkflowSignal(WorkflowErrors.InteractionUnavailable, (err as Error).message);
      }
    }
    // Each try starts from the call as the last one left it, so no candidate costs a read of it.
    let lostClaims = 0;
    const attempt = async (agent: Agent): Promise<boolean> => {
      const tried = await tryAgent(call, agent, taskToken);
      if (!tried) return true;
      call = tried.call;
      if (tried.lost) lostClaims += 1;
      return false;
    };
    if (call.heldAgentId) {
      // Woken by an agent that just became free, and held for this offer: that agent, nobody else.
      const held = await agents.get(call.heldAgentId);
      if (held && isHeldFor(held, offerIdFor(callId, call.offers.length + 1)) && (await attempt(held)))
        return;
      lostClaims = 0;
    }
    if (call.targetAgentId) {
      // A transfer to one agent: only that agent, and if it cannot take the call now, the queue.
      const target = await agents.get(call.targetAgentId);
      if (target && canTake(target, call, { direct: true }) && (await attempt(target))) return;
      ({ after: call } = await calls.update(callId, clearTarget, call));
      lostClaims = 0;
    }
    const candidates = rankCandidates(await agents.listAvailable(call.queue), call);
    let waiting = candidates.length > 0 ? await calls.listWaiting(call.queue, WAITING_LOOKAHEAD) : [];
    while (candidates.length > 0) {
      // The longest idle first; once a claim is lost, calls that arrived together would all race for the
      // same next agent, so each goes on with one of the rest picked by its own id.
      const [agent] = candidates.splice(
        lostClaims === 0 ? 0 : spreadPick(call.callId, lostClaims, candidates.length),
        1,
      );
      if (!agent) break;
      const ahead = waitingAheadFor(agent, call, waiting);
      if (ahead) {
        // The agent goes to the call waiting ahead; if that call is gone meanwhile, it is looked at again.
        const handed = await handOver(agent, ahead);
        waiting = waiting.filter((w) => w.callId !== ahead.callId);
        if (!handed.woken && handed.free) candidates.unshift(handed.free);
        continue;
      }
      if (await attempt(agent)) return;
    }
    throw new WorkflowSignal(WorkflowErrors.NoAgentAvailable, `no agent available in queue ${call.queue}`);
  };
}
