import { app } from '../shared/container.ts';
import { httpHandler, json, pathParam } from '../shared/http.ts';

/**
 * GET /v1/interactions/{interactionId} — an interaction with its phone log, and the first page of its call's
 * conversation.
 */
export const handler = httpHandler(async (event) =>
  json(200, await app().admin.getInteraction(pathParam(event, 'interactionId'))),
);
