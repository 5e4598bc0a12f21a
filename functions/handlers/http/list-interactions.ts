import * as z from 'zod/mini';
import { PageQuery, PhoneNumber } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { json, page, staffHandler } from '../shared/http.ts';
import { validate } from '../shared/validation.ts';

const Query = z.object({ phone: PhoneNumber, ...PageQuery });

/** GET /v1/interactions?phone= — the interactions of one phone number, newest first, a page at a time. */
export const handler = staffHandler(async (event, caller) => {
  const { phone, ...query } = validate(Query, event.queryStringParameters ?? {});
  return json(200, page('interactions', await app().admin.listInteractionsByPhone(caller, phone, query)));
});
