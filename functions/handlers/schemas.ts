import { z } from 'zod';
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
export const AgentStatusChoice = z.enum(SELECTABLE_AGENT_STATUSES);

const RequestId = z.union([z.string().max(128), z.number()]);

/** A client → server socket message: `{action, requestId?, ...fields}`, no other fields. */
export function actionMessage<A extends AgentAction, S extends z.ZodRawShape>(action: A, shape: S) {
  return z.strictObject({ action: z.literal(action), requestId: RequestId.optional(), ...shape });
}
