import * as z from 'zod/mini';
import { RequestError } from '../shared/errors.ts';
import { validate } from '../shared/validation.ts';
import { wsMessage } from '../shared/ws.ts';

const AnyMessage = z.object({ action: z.optional(z.unknown()) });

/** $default: a message whose action no route knows. Answered with UNKNOWN_ACTION; nothing changes. */
export const handler = wsMessage(async (_ctx, body) => {
  const { action } = validate(AnyMessage, body);
  throw new RequestError(
    400,
    'UNKNOWN_ACTION',
    typeof action === 'string' ? `unknown action "${action}"` : 'every message needs an "action" field',
  );
});
