import { readFile } from 'node:fs/promises';
import { Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import * as z from 'zod/mini';
import {
  AGENT_ACTIONS,
  DOMAIN_ERROR_CODES,
  INTERNAL_ERROR_CODE,
  REVOKE_REASONS,
  SERVER_MESSAGE_TYPES,
  SOCKET_REQUEST_ERROR_CODES,
} from '../../functions/core/vocabulary.ts';
import { functionsTriggeredBy, handlerFile } from '../../functions/manifest/index.ts';

const ROOT = new URL('../../', import.meta.url);

/** The agent actions' functions, as the catalog routes them. */
const ACTION_ROUTES = functionsTriggeredBy('websocket').filter((f) => !f.trigger.route.startsWith('$'));

/** The schema the function behind a socket route validates its message with (its `message` export). */
async function validated(route: string): Promise<z.ZodMiniType> {
  const entry = ACTION_ROUTES.find((f) => f.trigger.route === route);
  if (!entry) throw new Error(`no socket route ${route}`);
  const module = (await import(new URL(handlerFile(entry), ROOT).href)) as { message?: z.ZodMiniType };
  if (!module.message) throw new Error(`${handlerFile(entry)} exports no message schema`);
  return module.message;
}

/** Documentation keys (description, summary, examples) do not change what a schema accepts. */
function schemaOnly(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(schemaOnly);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !['description', 'examples', '$schema'].includes(k) && !k.startsWith('x-'))
        .map(([k, v]) => [k, schemaOnly(v)]),
    );
  }
  return value;
}

describe('docs/asyncapi.yaml', () => {
  const text = readFile(new URL('../../docs/asyncapi.yaml', import.meta.url), 'utf8');

  it('is a valid AsyncAPI 3 document', async () => {
    const { document, diagnostics } = await new Parser().parse(await text);
    const errors = diagnostics
      .filter((d) => d.severity === 0)
      .map((d) => `${d.path.join('.')}: ${d.message}`);
    expect(errors).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
  });

  it('documents every agent action and server message of the vocabulary, each action a route', async () => {
    const messages = Object.keys(parse(await text).components.messages);
    expect(ACTION_ROUTES.map((f) => f.trigger.route).sort()).toEqual([...AGENT_ACTIONS].sort());
    for (const action of AGENT_ACTIONS) expect(messages).toContain(action);
    for (const type of SERVER_MESSAGE_TYPES) expect(messages).toContain(type);
  });

  it.each([...AGENT_ACTIONS])('describes %s exactly as its handler validates it', async (action) => {
    const schema = await validated(action);
    expect((schema as z.ZodMiniObject<{ action: z.ZodMiniLiteral<string> }>).shape.action.def.values).toEqual(
      [action],
    );
    const documented = parse(await text).components.messages[action].payload;
    expect(schemaOnly(documented)).toEqual(schemaOnly(z.toJSONSchema(schema)));
  });

  it('names every error code a socket can be answered with, and no other', async () => {
    const summary: string = parse(await text).components.messages.error.summary;
    const named = [...summary.matchAll(/\b[A-Z][A-Z_]{3,}\b/g)].map((m) => m[0]);
    // Cursors belong to the REST list routes: no socket action pages.
    const domain = DOMAIN_ERROR_CODES.filter((code) => code !== 'INVALID_CURSOR');
    const codes = [...domain, ...SOCKET_REQUEST_ERROR_CODES, INTERNAL_ERROR_CODE];
    expect([...new Set(named)].sort()).toEqual([...new Set(codes)].sort());
  });

  it('lists every reason an offer can be revoked for, and no other', async () => {
    const { reason } = parse(await text).components.messages.offerRevoked.payload.properties;
    expect([...reason.enum].sort()).toEqual([...REVOKE_REASONS].sort());
  });
});
