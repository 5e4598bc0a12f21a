import { publicAgent } from '../../core/messages.ts';
import { app } from '../shared/container.ts';
import { json, pathParam, staffHandler } from '../shared/http.ts';

/** GET /v1/agents/{agentId} — one agent: an agent reads its own, supervisors and admins any. */
export const handler = staffHandler(async (event, caller) =>
  json(200, publicAgent(await app().admin.getAgent(caller, pathParam(event, 'agentId')))),
);
