import * as z from 'zod/mini';
import { Id } from '../schemas.ts';

/** Payloads the ASL passes to the workflow tasks (see statemachines/route-call.asl.json). */
const Route = z._default(z.number().check(z.int(), z.minimum(0)), 0);
export const TokenTaskPayload = z.object({
  callId: Id,
  route: Route,
  taskToken: z.string().check(z.minLength(1)),
});
export const CallTaskPayload = z.object({ callId: Id, route: Route });
export const CallErrorTaskPayload = z.object({
  callId: Id,
  route: Route,
  error: z.optional(z.partial(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) }))),
});
