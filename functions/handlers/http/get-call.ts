import { app } from '../shared/container.ts';
import { httpHandler, json, pathParam } from '../shared/http.ts';

/**
 * GET /v1/calls/{callId} — the call, its offers and the first page of its conversation and of its timeline
 * (never a task token).
 */
export const handler = httpHandler(async (event) =>
  json(200, await app().admin.getCall(pathParam(event, 'callId'))),
);
