import * as z from 'zod/mini';
import { PageQuery } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { httpHandler, json, page } from '../shared/http.ts';
import { validate } from '../shared/validation.ts';

const Query = z.object(PageQuery);

/** GET /v1/agents — one page of the agents, each with its status and since when. */
export const handler = httpHandler(async (event) => {
  const query = validate(Query, event.queryStringParameters ?? {});
  const { items, cursor } = await app().admin.listAgents(query);
  const agents = items.map(({ connections, connectionsExpireAt: _expiry, ...agent }) => ({
    ...agent,
    connected: connections.length > 0,
  }));
  return json(200, page('agents', { items: agents, cursor }));
});
