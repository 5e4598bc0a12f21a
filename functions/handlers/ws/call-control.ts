import type { AgentControl } from '../../core/use-cases/agent-call-actions.ts';
import { actionMessage, Id } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { wsAction } from '../shared/ws.ts';

export const callControlMessage = <A extends AgentControl>(action: A) =>
  actionMessage(action, { callId: Id });

/** The shape of mute / unmute / hold / resume: one route and one function each, one behaviour. */
export function callControlHandler(action: AgentControl) {
  return wsAction(action, callControlMessage(action), async ({ agentId }, { callId }) => {
    await app().agentCall.control(agentId, callId, action);
    return undefined;
  });
}
