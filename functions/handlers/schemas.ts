import * as z from 'zod/mini';
import { SELECTABLE_AGENT_STATUSES } from '../core/model.ts';
import { PRIORITIES, SKILL_LEVELS } from '../core/routing.ts';
import type { AgentAction } from '../core/vocabulary.ts';

/**
 * Field shapes shared by several edges (REST and WebSocket). Message and body schemas live beside their
 * handlers and are built from these.
 */
export const Id = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(128),
    z.regex(/^[A-Za-z0-9_.:@+-]+$/, 'letters, digits and _ . : @ + - only'),
  );
export const QueueName = z
  .string()
  .check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits and _ . - only'));
/** Skills are named as queues are. */
export const SkillName = QueueName;
const SkillLevel = z.number().check(z.int(), z.minimum(SKILL_LEVELS.lowest), z.maximum(SKILL_LEVELS.highest));
/** What an agent holds: each skill once, with its level. */
export const AgentSkills = z.array(z.strictObject({ skill: SkillName, level: SkillLevel })).check(
  z.maxLength(50),
  z.refine((skills) => new Set(skills.map((s) => s.skill)).size === skills.length, 'each skill once'),
);
/** What a call needs: skills, each at a minimum level (any level when not given). */
export const RequiredSkills = z
  .array(z.strictObject({ skill: SkillName, minLevel: z.optional(SkillLevel) }))
  .check(z.maxLength(10));
export const Priority = z
  .number()
  .check(z.int(), z.minimum(PRIORITIES.lowest), z.maximum(PRIORITIES.highest));
export const PhoneNumber = z.string().check(z.minLength(1), z.maxLength(64));
/** `?limit=&cursor=` of every list route: a page of up to `limit` items, after the page `cursor` ended. */
export const PageQuery = {
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(1000)), 100),
  cursor: z.optional(
    z
      .string()
      .check(z.minLength(1), z.maxLength(4096), z.regex(/^[A-Za-z0-9_-]+$/, 'a cursor from a previous page')),
  ),
};
export const AgentStatusChoice = z.enum(SELECTABLE_AGENT_STATUSES);

const RequestId = z.union([z.string().check(z.maxLength(128)), z.number()]);

/** A client → server socket message: `{action, requestId?, ...fields}`, no other fields. */
export function actionMessage<A extends AgentAction, S extends z.core.$ZodShape>(action: A, shape: S) {
  return z.strictObject({ action: z.literal(action), requestId: z.optional(RequestId), ...shape });
}
