import * as z from 'zod/mini';
import { PRIORITIES } from '../../core/routing.ts';
import { Id, PhoneNumber, Priority, QueueName, RequiredSkills } from '../schemas.ts';
import { app } from '../shared/container.ts';
import { json, readJson } from '../shared/http.ts';
import { appendLogKeys, logger } from '../shared/logger.ts';
import { signedCallbackHandler } from '../shared/signed-webhook.ts';

export const CreateCallBody = z.strictObject({
  ccaasCallId: Id,
  from: PhoneNumber,
  to: PhoneNumber,
  queue: QueueName,
  priority: z._default(Priority, PRIORITIES.lowest),
  requiredSkills: z._default(RequiredSkills, []),
  attributes: z.optional(z.record(z.string().check(z.maxLength(64)), z.string().check(z.maxLength(1024)))),
});

/** POST /v1/calls — a new inbound call from the CCaaS (signed). The same ccaasCallId returns the same call. */
export const handler = signedCallbackHandler(async (event) => {
  const body = readJson(event, CreateCallBody);
  const { callId, status, created } = await app().receiveCall(body);
  appendLogKeys({ callId });
  logger.info(created ? 'call received' : 'duplicate call callback', { ccaasCallId: body.ccaasCallId });
  return json(202, { callId, status });
});
