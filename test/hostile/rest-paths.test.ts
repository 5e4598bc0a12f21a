import { describe, expect, it } from 'vitest';
import { functionsTriggeredBy } from '../../functions/manifest/index.ts';
import { useLocalStack } from '../support/stack.ts';
import { staffFetch } from '../support/tokens.ts';

/** Every REST route with an id in its path, from the catalog: the same edge checks for each. */
const ROUTES = functionsTriggeredBy('http')
  .map((f) => f.trigger)
  .filter((t) => t.path.includes('{'));

const BODIES: Record<string, unknown> = {
  'PUT /v1/agents/{agentId}': { name: 'Nobody', queues: ['q'] },
  'POST /v1/calls/{callId}/events': { seq: 1, type: 'held', at: '2026-03-01T12:00:00Z' },
};

describe('hostile ids in REST paths', () => {
  const ctx = useLocalStack();

  /** Sends a request to a route with `id` (raw, as it goes on the wire) in place of its path parameter. */
  async function send(route: (typeof ROUTES)[number], id: string) {
    const path = route.path.replace(/\{\w+\}/, id);
    const body = BODIES[`${route.method} ${route.path}`];
    if (route.signed) return ctx.ccaas.post(path, body);
    const res = await staffFetch(`${ctx.stack.url}${path}`, {
      method: route.method,
      ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }

  const agentIds = async () =>
    (
      (await (await staffFetch(`${ctx.stack.url}/v1/agents?limit=1000`)).json()) as {
        agents: { agentId: string }[];
      }
    ).agents.map((a) => a.agentId);

  it('has routes to try', () => {
    expect(ROUTES.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(['GET /v1/calls/{callId}', 'PUT /v1/agents/{agentId}']),
    );
  });

  describe.each(ROUTES)('$method $path', (route) => {
    it.each(['%E0%A4%A', '%', '%FF', '%zz', 'a%'])(
      'answers 400 BAD_REQUEST to the malformed id %s',
      async (id) => {
        const before = await agentIds();
        const res = await send(route, id);

        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'BAD_REQUEST', message: expect.any(String) });
        expect(res.body.error.requestId).toBeTruthy();
        expect(await agentIds()).toEqual(before);
      },
    );

    it.each([
      ['129 characters', 'a'.repeat(129)],
      ['3 KB, over DynamoDB’s key limit', 'k'.repeat(3 * 1024)],
      ['a space', 'a%20b'],
      ['a slash', 'a%2Fb'],
      ['non-ASCII letters', '%C3%A9t%C3%A9'],
      // Decoded once, as API Gateway does: ab%2541 is the id ab%41, not abA.
      ['a percent sign', 'ab%2541'],
    ])('answers 422 VALIDATION_FAILED to an id of %s', async (_what, id) => {
      const before = await agentIds();
      const res = await send(route, id);

      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(await agentIds()).toEqual(before);
    });
  });
});
