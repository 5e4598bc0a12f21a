import { RequestError } from '../shared/errors.ts';
import { wsMessage } from '../shared/ws.ts';

/** $default: a message whose action no route knows. Answered with UNKNOWN_ACTION; nothing changes. */
export const handler = wsMessage(async (_ctx, body) => {
  const action = body && typeof body === 'object' ? (body as { action?: unknown }).action : undefined;
  throw new RequestError(
    400,
    'UNKNOWN_ACTION',
    typeof action === 'string' ? `unknown action "${action}"` : 'every message needs an "action" field',
  );
});
