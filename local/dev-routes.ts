import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Faults } from './dynamo.ts';
import type { DeadLetter } from './event-bus.ts';
import { sendJson } from './gateway.ts';
import type { DevIdentity } from './identity.ts';

const FaultsBody = z
  .strictObject({
    interactionStore: z.enum(['up', 'down']).optional(),
    interactionStoreLatencyMs: z.number().int().min(0).max(60_000).optional(),
  })
  .refine((f) => Object.keys(f).length > 0);

const TokenBody = z.object({ agentId: z.string().min(1) });

function parse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8') || '{}');
  } catch {
    return undefined;
  }
}

function refuse(res: ServerResponse, message: string): void {
  sendJson(res, 422, { error: { code: 'VALIDATION_FAILED', message } });
}

/**
 * The routes only the local runtime has, for people and tests: a token issuer standing in for Cognito
 * (`POST /dev/token`, `GET /dev/jwks`), the fault switch of the interaction store (`/dev/faults`), and the
 * dead letters of the event rules (`GET /v1/dead-letters`; on AWS, SQS queues with an alarm).
 * Returns true when it answered the request.
 */
export function createDevRoutes(options: {
  identity: DevIdentity;
  faults: Faults;
  deadLetters: DeadLetter[];
}) {
  const { identity, faults, deadLetters } = options;
  return async (req: IncomingMessage, res: ServerResponse, body: Buffer, url: URL): Promise<boolean> => {
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'POST /dev/token': {
        const parsed = TokenBody.safeParse(parse(body));
        if (!parsed.success) refuse(res, 'agentId: a non-empty string is required');
        else sendJson(res, 200, { token: await identity.issue(parsed.data.agentId) });
        return true;
      }
      case 'GET /dev/jwks':
        sendJson(res, 200, identity.jwks);
        return true;
      case 'PUT /dev/faults': {
        const parsed = FaultsBody.safeParse(parse(body));
        if (!parsed.success) {
          refuse(
            res,
            'send {"interactionStore": "up"|"down"} and/or {"interactionStoreLatencyMs": 0..60000}',
          );
          return true;
        }
        Object.assign(faults, parsed.data);
        sendJson(res, 200, faults);
        return true;
      }
      case 'GET /dev/faults':
        sendJson(res, 200, faults);
        return true;
      case 'GET /v1/dead-letters':
        sendJson(res, 200, { deadLetters });
        return true;
      default:
        return false;
    }
  };
}
