import * as z from 'zod';
import { SELECTABLE_AGENT_STATUSES } from '../core/model.ts';
import type { AgentAction } from '../core/vocabulary.ts';

/**
 * Field shapes shared by several edges (REST and WebSocket). Message and body schemas live beside their
 * handlers and are built from these.
 */
export const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:@+-]+$/, 'letters, digits and _ . : @ + - only');
export const QueueName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits and _ . - only');
export const PhoneNumber = z.string().min(1).max(64);
/** `?limit=&cursor=` of every list route: a page of up to `limit` items, after the page `cursor` ended. */
export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z
    .string()
    .min(1)
    .max(4096)
    .regex(/^[A-Za-z0-9_-]+$/, 'a cursor from a previous page')
    .optional(),
};
export const AgentStatusChoice = z.enum(SELECTABLE_AGENT_STATUSES);

const RequestId = z.union([z.string().max(128), z.number()]);

/** A client → server socket message: `{action, requestId?, ...fields}`, no other fields. */
export function actionMessage<A extends AgentAction, S extends z.ZodRawShape>(action: A, shape: S) {
  return z.strictObject({ action: z.literal(action), requestId: RequestId.optional(), ...shape });
}
