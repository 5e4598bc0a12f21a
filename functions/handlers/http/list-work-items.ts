import * as z from 'zod/mini';
import { PageQuery } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { httpHandler, json, page } from '../shared/http.ts';
import { validate } from '../shared/validation.ts';

const Query = z.object({ status: z._default(z.enum(['open', 'closed']), 'open'), ...PageQuery });

/** GET /v1/work-items?status=open — work items (missed offers, callbacks), oldest first, a page at a time. */
export const handler = httpHandler(async (event) => {
  const { status, ...query } = validate(Query, event.queryStringParameters ?? {});
  return json(200, page('workItems', await app().admin.listWorkItems(status, query)));
});
