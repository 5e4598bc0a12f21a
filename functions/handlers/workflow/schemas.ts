import { z } from 'zod';
import { Id } from '../schemas.ts';

/** Payloads the ASL passes to the workflow tasks (see statemachines/route-call.asl.json). */
export const TokenTaskPayload = z.object({ callId: Id, taskToken: z.string().min(1) });
export const CallTaskPayload = z.object({ callId: Id });
export const CallErrorTaskPayload = z.object({
  callId: Id,
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).partial().optional(),
});
