import * as z from 'zod';
import { Id } from '../schemas.ts';

/** Payloads the ASL passes to the workflow tasks (see statemachines/route-call.asl.json). */
const Route = z.number().int().min(0).default(0);
export const TokenTaskPayload = z.object({ callId: Id, route: Route, taskToken: z.string().min(1) });
export const CallTaskPayload = z.object({ callId: Id, route: Route });
export const CallErrorTaskPayload = z.object({
  callId: Id,
  route: Route,
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).partial().optional(),
});
