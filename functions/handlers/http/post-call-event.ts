import { z } from 'zod';
import { callStateView } from '../../core/messages.ts';
import { app } from '../shared/container.ts';
import { httpHandler, json, pathParam, readJson, verifyWebhook } from '../shared/http.ts';
import { logger } from '../shared/logger.ts';

export const CallEventBody = z.strictObject({
  seq: z.number().int().min(1),
  type: z.enum([
    'caller_hangup',
    'ended',
    'held',
    'resumed',
    'muted',
    'unmuted',
    'transferred',
    'transcript',
    'bridged',
    'bridge_failed',
  ]),
  at: z.iso.datetime({ offset: true }),
  reason: z.string().max(256).optional(),
  text: z.string().max(16_000).optional(),
});

/** POST /v1/calls/{callId}/events — a fact about a call from the CCaaS (signed), applied in seq order. */
export const handler = httpHandler(async (event) => {
  await verifyWebhook(event);
  const callId = pathParam(event, 'callId');
  const body = readJson(event, CallEventBody);
  const { call, applied } = await app().applyCcaasEvent(callId, body);
  logger.info(applied ? 'call event applied' : 'stale call event ignored', {
    callId,
    seq: body.seq,
    type: body.type,
  });
  return json(200, { applied, call: callStateView(call) });
});
