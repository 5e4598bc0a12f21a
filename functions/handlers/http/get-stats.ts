import { app } from '../shared/container.ts';
import { json, staffHandler } from '../shared/http.ts';

/** GET /v1/stats — the supervisor view: agents, queues, live calls, today's counts (supervisors). */
export const handler = staffHandler(async (_event, caller) =>
  json(200, await app().supervision.stats(caller)),
);
