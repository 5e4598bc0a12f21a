import { AgentStatusChoice, actionMessage } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { wsAction } from '../shared/ws.ts';

export const message = actionMessage('setStatus', { status: AgentStatusChoice });

/** setStatus: available, away or offline. */
export const handler = wsAction(message, async ({ agentId }, { status }) => {
  await app().setAgentStatus(agentId, status);
  return undefined;
});
