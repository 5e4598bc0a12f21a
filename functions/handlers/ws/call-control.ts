import type { AgentControl } from '../../core/vocabulary.ts';
import { actionMessage, Id } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { wsAction } from '../shared/ws.ts';

/**
 * mute / unmute / hold / resume: one route and one function each, one behaviour. Each works without an
 * interaction; the CCaaS is asked to do it (call.control) and every tab of the agent sees callState.
 */
export function callControl<A extends AgentControl>(action: A) {
  const message = actionMessage(action, { callId: Id });
  const handler = wsAction(message, async ({ agentId }, { callId }) => {
    await app().agentCall.control(agentId, callId, action);
    return undefined;
  });
  return { message, handler };
}
