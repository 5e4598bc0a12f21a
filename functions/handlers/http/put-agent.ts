import * as z from 'zod/mini';
import { publicAgent } from '../../core/messages.ts';
import { AgentSkills, QueueName } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { json, pathParam, readJson, staffHandler } from '../shared/http.ts';

export const PutAgentBody = z.strictObject({
  name: z.string().check(z.minLength(1), z.maxLength(128)),
  queues: z.array(QueueName).check(z.minLength(1), z.maxLength(50)),
  autoAccept: z._default(z.boolean(), false),
  skills: z._default(AgentSkills, []),
});

/** PUT /v1/agents/{agentId} — registers an agent (offline) or updates its profile (admins). */
export const handler = staffHandler(async (event, caller) => {
  const agentId = pathParam(event, 'agentId');
  const body = readJson(event, PutAgentBody);
  const { agent, created } = await app().admin.putAgent(caller, agentId, body);
  return json(created ? 201 : 200, publicAgent(agent));
});
