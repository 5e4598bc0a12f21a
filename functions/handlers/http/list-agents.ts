import * as z from 'zod/mini';
import { publicAgent } from '../../core/messages.ts';
import { PageQuery } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { json, page, staffHandler } from '../shared/http.ts';
import { validate } from '../shared/validation.ts';

const Query = z.object(PageQuery);

/** GET /v1/agents — one page of the agents, each with its status and since when (supervisors, admins). */
export const handler = staffHandler(async (event, caller) => {
  const query = validate(Query, event.queryStringParameters ?? {});
  const { items, cursor } = await app().admin.listAgents(caller, query);
  return json(200, page('agents', { items: items.map(publicAgent), cursor }));
});
