import { chooseStatus, finishCall } from '../agent.ts';
import {
  addConversation,
  applyControl,
  markInteractionPending,
  recordDisposition,
  transferCall,
} from '../call.ts';
import type { Deps } from '../deps.ts';
import {
  AgentNotAvailableError,
  ForbiddenError,
  InteractionUnavailableError,
  InvalidTransitionError,
  NotFoundError,
} from '../errors.ts';
import { callEvent } from '../events.ts';
import { type ActionAnswer, callStateView } from '../messages.ts';
import type { Call } from '../model.ts';
import type { AgentMessenger } from '../steps/agent-messenger.ts';
import type { EndCallFlow } from '../steps/end-call.ts';
import type { EnsureInteraction, SyncInteraction } from '../steps/ensure-interaction.ts';
import type { StartRouting } from '../steps/start-routing.ts';
import type { WakeWaitingCall } from '../steps/wake-waiting-call.ts';
import type { AgentControl, CallControl, ControlRequest } from '../vocabulary.ts';

const CONTROL_FACT: Record<AgentControl, CallControl> = {
  mute: 'muted',
  unmute: 'unmuted',
  hold: 'held',
  resume: 'resumed',
};

type ActionDeps = Pick<Deps, 'calls' | 'agents' | 'events' | 'clock'> & {
  send: AgentMessenger;
  startRouting: StartRouting;
  endCall: EndCallFlow;
  ensureInteraction: EnsureInteraction;
  syncInteraction: SyncInteraction;
  wakeWaitingCall: WakeWaitingCall;
};

/**
 * What an agent does with its call, with or without an interaction: controls, hang-up, notes, opening
 * the interaction on demand, transfer (which needs one) and wrap-up. An agent acts only on its own call
 * (FORBIDDEN otherwise): the one it is connected to, or, for notes and wrap-up, the one it just finished.
 */
export function makeAgentCallActions(deps: ActionDeps) {
  const { calls, agents, events, clock, send, endCall, ensureInteraction, syncInteraction, startRouting } =
    deps;

  async function ownCall(agentId: string, callId: string, { finished = false } = {}): Promise<Call> {
    const call = await calls.get(callId);
    if (!call) throw new NotFoundError(`call ${callId} not found`);
    if (call.agentId === agentId && call.status === 'connected') return call;
    if (finished) {
      const agent = await agents.get(agentId);
      if (agent?.callId === callId) return call;
    }
    if (call.agentId === agentId || call.offers.some((o) => o.agentId === agentId)) {
      throw new InvalidTransitionError(`call ${callId} is ${call.status}`);
    }
    throw new ForbiddenError(`call ${callId} is not yours`);
  }

  async function publishControl(
    call: Call,
    agentId: string,
    control: ControlRequest,
    extra: Record<string, unknown> = {},
  ) {
    await events.publish([
      callEvent(call, 'call.control', `${call.callId}:${call.entryCount}`, clock.now().toISOString(), {
        control,
        agentId,
        ...extra,
      }),
    ]);
  }

  return {
    /** mute / unmute / hold / resume: recorded, pushed to every tab of the agent, asked of the CCaaS. */
    async control(agentId: string, callId: string, action: AgentControl): Promise<void> {
      const call = await ownCall(agentId, callId);
      const { after, changed } = await calls.update(
        callId,
        (c) => {
          if (c.agentId !== agentId) throw new ForbiddenError(`call ${callId} is not yours`);
          return applyControl(c, CONTROL_FACT[action], clock.now(), agentId);
        },
        call,
      );
      if (changed) await publishControl(after, agentId, action);
      await send(agentId, { type: 'callState', ...callStateView(after) });
    },

    /** hangup: the CCaaS is asked to drop the audio; the call ends completed and the agent wraps up. */
    async hangUp(agentId: string, callId: string): Promise<void> {
      const call = await ownCall(agentId, callId);
      await publishControl(call, agentId, 'hangup');
      await endCall(callId, 'agent_hangup', 'agent', { known: call });
    },

    /**
     * openInteraction: the call's interaction, created now if it has none. While the store is down the
     * agent gets `interactionPending` and the sweeper keeps retrying, so nobody needs to click twice.
     */
    async openInteraction(agentId: string, callId: string): Promise<ActionAnswer<'openInteraction'>> {
      await ownCall(agentId, callId, { finished: true });
      try {
        const interaction = await ensureInteraction(callId, 'on_demand');
        return { type: 'interactionCreated', callId, interactionId: interaction.interactionId };
      } catch (err) {
        if (!(err instanceof InteractionUnavailableError)) throw err;
        await calls.update(callId, (c) => markInteractionPending(c, err.message, clock.now()));
        return { type: 'interactionPending', callId, reason: 'interaction_store_unavailable' };
      }
    },

    /**
     * transfer: to a queue, or to one available agent. Refused with INTERACTION_REQUIRED without an
     * interaction. The call is routed again by a new workflow execution; the interaction goes with it;
     * the transferring agent moves to wrap-up and is never offered this call again.
     */
    async transfer(agentId: string, callId: string, to: { queue?: string; agentId?: string }): Promise<void> {
      const call = await ownCall(agentId, callId);
      if (to.agentId) {
        const target = await agents.get(to.agentId);
        if (!target) throw new NotFoundError(`agent ${to.agentId} not found`);
        if (target.agentId === agentId || target.status !== 'available') {
          throw new AgentNotAvailableError(
            `agent ${to.agentId} is ${target.status}; transfer to a queue instead`,
          );
        }
      }
      const { after } = await calls.update(
        callId,
        (c) => transferCall(c, { byAgentId: agentId, ...to, now: clock.now() }),
        call,
      );
      // Routing first: whatever fails after this, the call is being offered again.
      await startRouting(after);
      await agents.update(agentId, (a) => finishCall(a, callId, clock.now()));
      await send(agentId, { type: 'callState', ...callStateView(after) });
      await publishControl(
        after,
        agentId,
        'transfer',
        to.agentId ? { toAgentId: to.agentId } : { toQueue: to.queue },
      );
      await syncInteraction(after);
    },

    /** note: appended to the call's conversation, which its interaction shows (now, or once created). */
    async note(agentId: string, callId: string, text: string): Promise<void> {
      const call = await ownCall(agentId, callId, { finished: true });
      await calls.update(
        callId,
        (c) =>
          addConversation(c, { at: clock.now().toISOString(), kind: 'note', by: agentId, text }, clock.now()),
        call,
      );
    },

    /** wrapUp: the disposition is recorded (call and interaction) and the agent is available again. */
    async wrapUp(agentId: string, callId: string, disposition: string): Promise<void> {
      const agent = await agents.get(agentId);
      if (!agent) throw new NotFoundError(`agent ${agentId} not found`);
      const call = await calls.get(callId);
      if (!call) throw new NotFoundError(`call ${callId} not found`);
      if (agent.callId !== callId) throw new ForbiddenError(`call ${callId} is not yours to wrap up`);
      if (agent.status !== 'wrap_up')
        throw new InvalidTransitionError(`call ${callId} is still live; hang up first`);
      const { after } = await calls.update(
        callId,
        (c) => recordDisposition(c, agentId, disposition, clock.now()),
        call,
      );
      await syncInteraction(after);
      const { after: available } = await agents.update(
        agentId,
        (a) => chooseStatus(a, 'available', clock.now()),
        agent,
      );
      await deps.wakeWaitingCall(available);
    },
  };
}

export type AgentCallActions = ReturnType<typeof makeAgentCallActions>;
