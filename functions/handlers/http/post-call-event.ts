import * as z from 'zod/mini';
import { callStateView } from '../../core/messages.ts';
import { CCAAS_EVENT_TYPES } from '../../core/vocabulary.ts';
import { app } from '../shared/container.ts';
import { json, pathParam, readJson } from '../shared/http.ts';
import { logger } from '../shared/logger.ts';
import { signedCallbackHandler } from '../shared/signed-webhook.ts';

export const CallEventBody = z.strictObject({
  seq: z.number().check(z.int(), z.minimum(1)),
  type: z.enum(CCAAS_EVENT_TYPES),
  at: z.iso.datetime({ offset: true }),
  reason: z.optional(z.string().check(z.maxLength(256))),
  text: z.optional(z.string().check(z.maxLength(16_000))),
});

/** POST /v1/calls/{callId}/events — a fact about a call from the CCaaS (signed), applied in seq order. */
export const handler = signedCallbackHandler(async (event) => {
  const callId = pathParam(event, 'callId');
  const body = readJson(event, CallEventBody);
  const { call, applied } = await app().applyCcaasEvent(callId, body);
  logger.info(applied ? 'call event applied' : 'stale call event ignored', {
    seq: body.seq,
    type: body.type,
  });
  return json(200, { applied, call: callStateView(call) });
});
