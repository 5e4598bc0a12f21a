import { z } from 'zod';
import { RequestError } from '../shared/errors.ts';
import { wsAction } from '../shared/ws.ts';

const AnyMessage = z.object({ action: z.unknown().optional() });

/** $default: a message whose action no route knows. Answered with UNKNOWN_ACTION; nothing changes. */
export const handler = wsAction('unknown', AnyMessage, async (_ctx, message) => {
  const action = typeof message.action === 'string' ? message.action : undefined;
  throw new RequestError(
    400,
    'UNKNOWN_ACTION',
    action ? `unknown action "${action}"` : 'every message needs an "action" field',
  );
});
