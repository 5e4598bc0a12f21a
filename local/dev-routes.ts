import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { STAFF_GROUPS } from '../functions/manifest/index.ts';
import type { Faults } from './faults.ts';
import { sendJson } from './http-io.ts';
import type { DevIdentity } from './identity.ts';
import type { LocalUserPool } from './user-pool.ts';

const FaultsBody = z
  .strictObject({
    interactionStore: z.enum(['up', 'down']).optional(),
    interactionStoreLatencyMs: z.number().int().min(0).max(60_000).optional(),
  })
  .refine((f) => Object.keys(f).length > 0);

const FAULTS_USAGE = 'send {"interactionStore": "up"|"down"} and/or {"interactionStoreLatencyMs": 0..60000}';

const TokenBody = z.object({
  agentId: z.string().min(1),
  /** How long the token lives (default 12 hours): a short one tries out expiry. */
  ttlSeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .optional(),
  /** The token's `cognito:groups` (default: an agent's token; `[]`: someone in no group). */
  groups: z.array(z.enum(STAFF_GROUPS)).max(STAFF_GROUPS.length).optional(),
});

const UserChange = z
  .strictObject({
    enabled: z.boolean().optional(),
    groups: z.array(z.enum(STAFF_GROUPS)).max(STAFF_GROUPS.length).optional(),
  })
  .refine((change) => Object.keys(change).length > 0);

/** The body validated against `schema`; a refusal in the usual error shape (400 or 422) otherwise. */
export function validBody<T>(
  res: ServerResponse,
  body: Buffer,
  schema: z.ZodType<T>,
  message: string,
): T | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    sendJson(res, 400, { error: { code: 'BAD_JSON', message: 'the body is not valid JSON' } });
    return undefined;
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  sendJson(res, 422, { error: { code: 'VALIDATION_FAILED', message } });
  return undefined;
}

/**
 * The routes only the local runtime has, for people and tests: a token issuer standing in for Cognito
 * (`POST /dev/token`, `GET /dev/jwks`), the fault switch of the interaction store (`/dev/faults`), and the
 * dead letters (`GET /v1/dead-letters`: those of the event rules and of the webhook outbox; on AWS, SQS
 * queues with an alarm). Returns true when it answered the request.
 */
export function createDevRoutes(options: {
  identity: DevIdentity;
  userPool: LocalUserPool;
  faults: Faults;
  deadLetters: () => readonly unknown[];
}) {
  const { identity, userPool, faults, deadLetters } = options;
  return async (req: IncomingMessage, res: ServerResponse, body: Buffer, url: URL): Promise<boolean> => {
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'POST /dev/token': {
        const request = validBody(
          res,
          body,
          TokenBody,
          'agentId: a non-empty string; ttlSeconds: 1 to 604800',
        );
        if (!request) return true;
        const user = userPool.signIn(request.agentId, request.groups ?? ['agents']);
        if (!user) {
          const message = `${request.agentId} is disabled in the user pool: no token`;
          sendJson(res, 403, { error: { code: 'FORBIDDEN', message } });
          return true;
        }
        sendJson(res, 200, { token: await identity.issue(request.agentId, request.ttlSeconds, user.groups) });
        return true;
      }
      case 'GET /dev/jwks':
        sendJson(res, 200, identity.jwks);
        return true;
      case 'PUT /dev/faults': {
        const change = validBody(res, body, FaultsBody, FAULTS_USAGE);
        if (change) {
          Object.assign(faults, change);
          sendJson(res, 200, faults);
        }
        return true;
      }
      case 'GET /dev/faults':
        sendJson(res, 200, faults);
        return true;
      case 'GET /v1/dead-letters':
        sendJson(res, 200, { deadLetters: deadLetters() });
        return true;
      default: {
        // PUT /dev/users/{id}: what an admin does in the user pool (disable someone, change their groups).
        const userId = req.method === 'PUT' ? /^\/dev\/users\/([^/]+)$/.exec(url.pathname)?.[1] : undefined;
        if (userId === undefined) return false;
        const change = validBody(
          res,
          body,
          UserChange,
          'send {"enabled": true|false} and/or {"groups": [...]}',
        );
        if (change) sendJson(res, 200, { userId, ...userPool.update(decodeURIComponent(userId), change) });
        return true;
      }
    }
  };
}
