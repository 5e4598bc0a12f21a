import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { DOMAIN_ERROR_CODES, HTTP_REQUEST_ERROR_CODES } from '../../functions/core/vocabulary.ts';
import { CreateCallBody } from '../../functions/handlers/http/create-call.ts';
import { CallEventBody } from '../../functions/handlers/http/post-call-event.ts';
import { PutAgentBody } from '../../functions/handlers/http/put-agent.ts';
import { RedriveBody } from '../../functions/handlers/http/redrive-dead-letters.ts';
import { functionsTriggeredBy } from '../../functions/manifest/index.ts';
import { FUZZ_SEED, fuzzRuns } from '../support/fuzz.ts';
import { useLocalStack } from '../support/stack.ts';
import { staffFetch, tokenFor } from '../support/tokens.ts';

/** How many malformed requests: a few hundred in `npm test`, thousands with `npm run fuzz`. */
const RUNS = fuzzRuns('FUZZ_REST_RUNS', 400);
const ERROR_CODES: readonly string[] = [...HTTP_REQUEST_ERROR_CODES, ...DOMAIN_ERROR_CODES];

/** The schema each body route validates with: the fuzzer only sends what it refuses. */
const BODY_SCHEMAS: Record<string, z.ZodMiniType> = {
  'POST /v1/calls': CreateCallBody,
  'POST /v1/calls/{callId}/events': CallEventBody,
  'PUT /v1/agents/{agentId}': PutAgentBody,
  'POST /v1/dead-letters/redrive': RedriveBody,
};
const VALID_BODIES: Record<string, unknown> = {
  'POST /v1/calls': { ccaasCallId: 'fuzz', from: '+1', to: '+2', queue: 'fuzz' },
  'POST /v1/calls/{callId}/events': { seq: 1, type: 'held', at: '2026-03-01T12:00:00Z' },
  'PUT /v1/agents/{agentId}': { name: 'Fuzz', queues: ['fuzz'] },
  'POST /v1/dead-letters/redrive': { messagesPerSecond: 1 },
};

interface FuzzRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  body: string | Uint8Array | undefined;
  signature: 'valid' | 'missing' | 'forged';
  /** A staff route's `authorization`: an admin's and supervisor's token, none, or not a token at all. */
  auth: 'staff' | 'none' | 'garbage';
}

const routes = functionsTriggeredBy('http').map((f) => f.trigger);

/** An id for a path: of the contract's shape but unknown, or anything at all, percent-encoded or not. */
const pathId = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_.:@+-]{1,40}$/),
  fc.string({ unit: 'binary', maxLength: 60 }).map((s) => encodeURIComponent(s) || 'x'),
  fc.constantFrom('%', '%E0%A4%A', '%FF', '..', 'a%2Fb', 'x'.repeat(300), 'y'.repeat(3000)),
);

/** A JSON body that cannot pass the route's schema, or no JSON at all. */
function badBody(route: string): fc.Arbitrary<string | Uint8Array | undefined> {
  const schema = BODY_SCHEMAS[route];
  const refused = fc.jsonValue({ maxDepth: 3 }).filter((v) => !schema?.safeParse(v).success);
  const extraField = fc
    .tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }))
    .filter(([key]) => !(key in (VALID_BODIES[route] as object)))
    .map(([key, value]) => JSON.stringify({ ...(VALID_BODIES[route] as object), [key]: value }));
  return fc.oneof(
    refused.map((v) => JSON.stringify(v)),
    ...(VALID_BODIES[route] ? [extraField] : []),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.uint8Array({ maxLength: 200 }),
    fc.constant('x'.repeat(70 * 1024)),
    fc.constant(undefined),
  );
}

const request: fc.Arbitrary<FuzzRequest> = fc.oneof(
  // A route of the catalog, with a malformed id, body or header.
  fc.constantFrom(...routes).chain((route) =>
    fc.record({
      method: fc.constant(route.method),
      path: pathId.map((id) => route.path.replace(/\{\w+\}/, id)),
      contentType: fc.constantFrom(
        'application/json',
        'text/plain',
        undefined,
        'application/json; charset=utf-8',
        '*/*',
      ),
      body: route.method === 'GET' ? fc.constant(undefined) : badBody(`${route.method} ${route.path}`),
      signature: route.signed ? fc.constantFrom('valid', 'missing', 'forged') : fc.constant('missing'),
      auth: route.signed
        ? fc.constant('none')
        : fc.constantFrom('staff', 'staff', 'staff', 'none', 'garbage'),
    }),
  ),
  // Anything else: other methods, other paths.
  fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
    path: fc.oneof(
      fc.webPath().map((p) => p || '/'),
      fc.constantFrom('/v1', '/v1/', '/v1/calls/', '/v1/agents/a/b', '/ws', '/@connections/x', '/dev'),
    ),
    contentType: fc.constantFrom('application/json', undefined),
    body: fc.option(fc.string({ maxLength: 100 }), { nil: undefined }),
    signature: fc.constantFrom('valid', 'missing'),
    auth: fc.constantFrom('staff', 'none'),
  }),
);

describe(`fuzzed REST requests (${RUNS}, seed ${FUZZ_SEED})`, () => {
  const ctx = useLocalStack();

  async function send(req: FuzzRequest, secret: string, staffToken: string) {
    const bytes =
      typeof req.body === 'string' ? Buffer.from(req.body) : req.body ? Buffer.from(req.body) : undefined;
    const headers: Record<string, string> = req.contentType ? { 'content-type': req.contentType } : {};
    if (req.auth !== 'none') {
      headers.authorization = req.auth === 'staff' ? `Bearer ${staffToken}` : 'Bearer not.a.token';
    }
    if (req.signature !== 'missing') {
      const id = randomUUID();
      const at = new Date();
      const key = req.signature === 'valid' ? secret : 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
      Object.assign(headers, {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(key).sign(id, at, (bytes ?? Buffer.alloc(0)).toString('utf8')),
      });
    }
    const res = await fetch(`${ctx.stack.url}${req.path.startsWith('/') ? '' : '/'}${req.path}`, {
      method: req.method,
      headers,
      ...(bytes && req.method !== 'GET' ? { body: bytes } : {}),
    });
    return { status: res.status, text: await res.text() };
  }

  const state = async () => ({
    agents: (await (await staffFetch(`${ctx.stack.url}/v1/agents?limit=1000`)).json()) as unknown,
    workItems: (await (await staffFetch(`${ctx.stack.url}/v1/work-items?limit=1000`)).json()) as unknown,
    published: ctx.stack.published.length,
  });

  it('answers every one with a 4xx in the usual error shape, or a read-only 200, and changes nothing', async () => {
    await ctx.agent('fuzz-witness', { queues: ['fuzz'] });
    const before = await state();
    const staffToken = await tokenFor(ctx.stack.url, 'fuzz-ops', ['admins', 'supervisors']);
    let sent = 0;

    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        sent++;
        const { status, text } = await send(req, ctx.stack.webhookSecret, staffToken);
        expect(status, `${req.method} ${req.path.slice(0, 80)}`).toBeLessThan(500);
        if (status === 401 && req.auth !== 'staff' && text === '{"message":"Unauthorized"}') {
          // The JWT authorizer's refusal, in API Gateway's own shape, before any function runs.
        } else if (status >= 400) {
          const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
          expect([...ERROR_CODES, 'NOT_FOUND']).toContain(body.error?.code);
          expect(typeof body.error?.message).toBe('string');
        } else {
          expect(req.method, `${req.method} ${req.path} answered ${status}`).toBe('GET');
        }
      }),
      { numRuns: RUNS, seed: FUZZ_SEED, endOnFailure: true },
    );

    expect(sent).toBe(RUNS);
    expect(await state()).toEqual(before);
  }, 600_000);
});
