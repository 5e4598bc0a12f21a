import { AgentStatusChoice, actionMessage } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { wsAction } from '../shared/ws.ts';

export const SetStatusMessage = actionMessage('setStatus', { status: AgentStatusChoice });

/** setStatus: available, away or offline. */
export const handler = wsAction('setStatus', SetStatusMessage, async ({ agentId }, { status }) => {
  await app().setAgentStatus(agentId, status);
  return undefined;
});
