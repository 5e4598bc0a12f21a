import { z } from 'zod';
import { PhoneNumber } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { httpHandler, json } from '../shared/http.ts';
import { validate } from '../shared/validation.ts';

const Query = z.object({ phone: PhoneNumber });

/** GET /v1/interactions?phone= — the interactions of one phone number, newest first. */
export const handler = httpHandler(async (event) => {
  const { phone } = validate(Query, event.queryStringParameters ?? {});
  return json(200, { interactions: await app().admin.listInteractionsByPhone(phone) });
});
