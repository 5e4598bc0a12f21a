import { app } from '../shared/container.ts';
import { json, pathParam, staffHandler } from '../shared/http.ts';

/**
 * GET /v1/interactions/{interactionId} — an interaction with its phone log, and the first page of its call's
 * conversation.
 */
export const handler = staffHandler(async (event, caller) =>
  json(200, await app().admin.getInteraction(caller, pathParam(event, 'interactionId'))),
);
