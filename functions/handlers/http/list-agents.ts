import { app } from '../shared/container.ts';
import { httpHandler, json } from '../shared/http.ts';

/** GET /v1/agents — every agent with its status and since when. */
export const handler = httpHandler(async () => {
  const agents = await app().admin.listAgents();
  return json(200, {
    agents: agents.map(({ connections, ...agent }) => ({ ...agent, connected: connections.length > 0 })),
  });
});
