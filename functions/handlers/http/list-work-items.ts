import * as z from 'zod/mini';
import { Id, PageQuery } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { json, page, staffHandler } from '../shared/http.ts';
import { validate } from '../shared/validation.ts';

const Query = z.object({
  status: z._default(z.enum(['open', 'closed']), 'open'),
  agentId: z.optional(Id),
  ...PageQuery,
});

/**
 * GET /v1/work-items?status=open[&agentId=] — work items (missed offers, callbacks), oldest first, a page at
 * a time: all of them (or one agent's) for supervisors, its own for an agent.
 */
export const handler = staffHandler(async (event, caller) => {
  const { status, agentId, ...query } = validate(Query, event.queryStringParameters ?? {});
  return json(200, page('workItems', await app().admin.listWorkItems(caller, { status, agentId }, query)));
});
