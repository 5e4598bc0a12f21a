import * as z from 'zod/mini';
import { requireRight } from '../../core/permissions.ts';
import { ports } from '../shared/container.ts';
import { json, readJson, staffHandler } from '../shared/http.ts';

/** SQS moves 500 messages a second at most. */
export const RedriveBody = z.strictObject({
  messagesPerSecond: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(500))),
});

/**
 * POST /v1/dead-letters/redrive — moves the dead-lettered webhooks back to the outbox, where they are
 * delivered again with the whole retry schedule ahead of them (admins). `{}`, or a pace that spares a
 * CCaaS just back: `{"messagesPerSecond": 10}`. 202: the move runs in the background; while one runs,
 * asking again answers that one.
 */
export const handler = staffHandler(async (event, caller) => {
  requireRight(caller, 'manageDeliveries', 'sending dead-lettered webhooks again');
  const { messagesPerSecond } = readJson(event, RedriveBody);
  return json(202, await ports().webhookOutbox.redrive({ messagesPerSecond }));
});
