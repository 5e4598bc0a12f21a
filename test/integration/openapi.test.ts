import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import * as z from 'zod/mini';
import {
  CONTROL_REQUESTS,
  DOMAIN_ERROR_CODES,
  DOMAIN_EVENT_TYPES,
  END_REASONS,
  HTTP_REQUEST_ERROR_CODES,
  INTERNAL_ERROR_CODE,
  OVERFLOW_REASONS,
  REVOKE_REASONS,
} from '../../functions/core/vocabulary.ts';
import { toWebhook } from '../../functions/handlers/events/ccaas-notifier.ts';
import { CreateCallBody } from '../../functions/handlers/http/create-call.ts';
import { CallEventBody } from '../../functions/handlers/http/post-call-event.ts';
import { PutAgentBody } from '../../functions/handlers/http/put-agent.ts';
import { RedriveBody } from '../../functions/handlers/http/redrive-dead-letters.ts';
import { functionsTriggeredBy } from '../../functions/manifest/index.ts';

const HTTP_ROUTES = functionsTriggeredBy('http').map((f) => f.trigger);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The request bodies the HTTP handlers validate, by route. */
const VALIDATED: Record<string, z.ZodMiniType> = {
  'POST /v1/calls': CreateCallBody,
  'POST /v1/calls/{callId}/events': CallEventBody,
  'PUT /v1/agents/{agentId}': PutAgentBody,
  'POST /v1/dead-letters/redrive': RedriveBody,
};

/**
 * A schema reduced to what it accepts: local $refs inlined (with the keywords beside them), documentation dropped (description, examples,
 * $schema), and two spellings zod adds made implicit: the pattern beside a `format` (the format names it)
 * and an integer's maximum of 2^53 - 1.
 */
function normalized(schema: unknown, root: Record<string, any>): unknown {
  if (Array.isArray(schema)) return schema.map((s) => normalized(s, root));
  if (!schema || typeof schema !== 'object') return schema;
  const node = schema as Record<string, any>;
  if (typeof node.$ref === 'string') {
    const { $ref, ...siblings } = node;
    const target = $ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((at: any, key: string) => at?.[key], root);
    if (target === undefined) throw new Error(`unresolved ${$ref}`);
    // OpenAPI 3.1: keywords beside a $ref (a default) apply along with the schema it names.
    return normalized({ ...target, ...siblings }, root);
  }
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key]) => !['description', 'examples', 'example', '$schema'].includes(key))
      .filter(([key]) => !(key === 'pattern' && node.format))
      .filter(([key, value]) => !(key === 'maximum' && value === Number.MAX_SAFE_INTEGER))
      .map(([key, value]) => [key, key === 'properties' ? mapValues(value, root) : normalized(value, root)]),
  );
}

const mapValues = (properties: Record<string, unknown>, root: Record<string, any>) =>
  Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, normalized(s, root)]));

describe('docs/openapi.yaml', () => {
  const document = readFile(new URL('../../docs/openapi.yaml', import.meta.url), 'utf8').then(
    (text) => parse(text) as Record<string, any>,
  );

  it('passes redocly lint with the recommended rules, offline', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        'node_modules/@redocly/cli/bin/cli.js',
        'lint',
        'docs/openapi.yaml',
        '--config',
        'redocly.yaml',
        '--format=json',
      ],
      { cwd: ROOT, env: { ...process.env, REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, timeout: 60_000 },
    );
    const report = JSON.parse(stdout.slice(stdout.indexOf('{')));

    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('documents every REST route of the catalog, and no other', async () => {
    const { paths } = await document;
    const documented = Object.entries(paths as Record<string, object>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );

    expect(documented.sort()).toEqual(HTTP_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it.each(Object.keys(VALIDATED))(
    'describes the body of %s exactly as its handler validates it',
    async (route) => {
      const doc = await document;
      const [method, path] = route.split(' ') as [string, string];
      const documented = doc.paths[path][method.toLowerCase()].requestBody.content['application/json'].schema;
      const validated = z.toJSONSchema(VALIDATED[route] as z.ZodMiniType, { io: 'input' });

      expect(normalized(documented, doc)).toEqual(normalized(validated, doc));
      expect(Object.keys(normalized(documented, doc) as object)).toContain('additionalProperties');
    },
  );

  it('signs the CCaaS routes and asks a staff token on every other, as the catalog does', async () => {
    const { paths } = await document;
    const signed = HTTP_ROUTES.filter((r) => r.signed).map((r) => `${r.method} ${r.path}`);
    expect(signed.sort()).toEqual(['POST /v1/calls', 'POST /v1/calls/{callId}/events']);
    for (const route of HTTP_ROUTES) {
      const security = paths[route.path][route.method.toLowerCase()].security;
      expect(security, `${route.method} ${route.path}`).toEqual(
        route.signed ? [{ webhookId: [], webhookTimestamp: [], webhookSignature: [] }] : [{ staffToken: [] }],
      );
    }
  });

  it('documents one webhook per event type the CCaaS receives, in the envelope the notifier sends', async () => {
    const doc = await document;

    expect(Object.keys(doc.webhooks).sort()).toEqual([...DOMAIN_EVENT_TYPES].sort());
    for (const type of DOMAIN_EVENT_TYPES) {
      const schema = doc.webhooks[type].post.requestBody.content['application/json'].schema;
      const [envelope, specific] = (normalized(schema, doc) as { allOf: Record<string, any>[] }).allOf;
      expect(specific?.properties.type, type).toEqual({ const: type });
      expect(envelope).toEqual(normalized(doc.components.schemas.Webhook, doc));
    }
    const sent = toWebhook('call.ended', {
      id: 'call.ended:call_1',
      at: '2026-03-01T12:00:00.000Z',
      callId: 'call_1',
      status: 'completed',
    });
    expect(Object.keys(sent).sort()).toEqual([...doc.components.schemas.Webhook.required].sort());
    expect(sent).toEqual({
      type: 'call.ended',
      id: 'call.ended:call_1',
      at: '2026-03-01T12:00:00.000Z',
      data: { callId: 'call_1', status: 'completed' },
    });
  });

  it('documents each word list of the contract exactly as the core declares it', async () => {
    const doc = await document;
    const { schemas } = doc.components;
    const sorted = (words: readonly string[]) => [...words].sort();
    const controlEnum =
      doc.components.schemas.CallControlWebhook.allOf[1].properties.data.properties.control.enum;

    expect(sorted(schemas.EndReason.enum)).toEqual(sorted([...END_REASONS, ...OVERFLOW_REASONS]));
    expect(sorted(schemas.OverflowReason.enum)).toEqual(sorted(OVERFLOW_REASONS));
    expect(sorted(schemas.RevokeReason.enum)).toEqual(sorted(REVOKE_REASONS));
    expect(sorted(controlEnum)).toEqual(sorted(CONTROL_REQUESTS));
    expect(sorted(schemas.ErrorCode.enum)).toEqual(
      sorted([...new Set([...DOMAIN_ERROR_CODES, ...HTTP_REQUEST_ERROR_CODES, INTERNAL_ERROR_CODE])]),
    );
  });
});
