import * as z from 'zod/mini';
import { QueueName } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { httpHandler, json, pathParam, readJson } from '../shared/http.ts';

export const PutAgentBody = z.strictObject({
  name: z.string().check(z.minLength(1), z.maxLength(128)),
  queues: z.array(QueueName).check(z.minLength(1), z.maxLength(50)),
  autoAccept: z._default(z.boolean(), false),
});

/** PUT /v1/agents/{agentId} — registers an agent (offline) or updates its profile. */
export const handler = httpHandler(async (event) => {
  const agentId = pathParam(event, 'agentId');
  const body = readJson(event, PutAgentBody);
  const { agent, created } = await app().admin.putAgent(agentId, body);
  const { connections: _connections, connectionsExpireAt: _expiry, ...view } = agent;
  return json(created ? 201 : 200, view);
});
