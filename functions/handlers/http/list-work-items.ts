import { z } from 'zod';
import { app } from '../shared/container.ts';
import { httpHandler, json } from '../shared/http.ts';
import { validate } from '../shared/validation.ts';

const Query = z.object({ status: z.enum(['open', 'closed']).default('open') });

/** GET /v1/work-items?status=open — work items (missed offers, callbacks), oldest first. */
export const handler = httpHandler(async (event) => {
  const { status } = validate(Query, event.queryStringParameters ?? {});
  return json(200, { workItems: await app().admin.listWorkItems(status) });
});
