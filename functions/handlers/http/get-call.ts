import { app } from '../shared/container.ts';
import { json, pathParam, staffHandler } from '../shared/http.ts';

/**
 * GET /v1/calls/{callId} — the call, its offers and the first page of its conversation and of its timeline
 * (never a task token).
 */
export const handler = staffHandler(async (event, caller) =>
  json(200, await app().admin.getCall(caller, pathParam(event, 'callId'))),
);
