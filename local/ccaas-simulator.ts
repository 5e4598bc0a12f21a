/**
 * A CCaaS on the command line, for people trying the product and for tests: it sends signed callbacks
 * (new calls, call events) to our REST API and receives our webhooks, verifying them with the same secret.
 * `npm run ccaas -- help` prints the usage. Every function is importable, so tests run it in-process.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { CCAAS_EVENT_TYPES } from '../functions/manifest/index.ts';
import type { ReceivedWebhook } from './ccaas-view.ts';
import { listen as listenOn, readBody } from './http-io.ts';

const USAGE = `Usage: npm run ccaas -- <command> [options]

Commands:
  call --from <phone> --queue <queue> [--to <phone>] [--ccaas-call-id <id>]
                              report a new inbound call (POST /v1/calls); prints the answer
  hangup <callId>             the caller hung up (a caller_hangup event)
  event <callId> <type> [--reason <text>] [--text <text>]
                              any call event, of type
                              ${CCAAS_EVENT_TYPES.join(' ')}
  listen [--port 4000] [--host 127.0.0.1]
                              receive our webhooks: verify each, print one line per event, answer 200
                              (401 to a bad signature); run npm start with CCAAS_WEBHOOK_URL pointing here

Environment:
  CCAAS_URL              our REST API (default http://127.0.0.1:3000)
  CCAAS_WEBHOOK_SECRET   the Standard Webhooks secret that npm start printed (required)

Events carry seq = the current time in milliseconds: the command keeps no state, and successive runs must
send increasing seqs, as a real CCaaS does. Exit codes: 0 done, 1 refused or unreachable, 2 bad arguments.`;

/** Where the command writes: stdout and stderr, or a test's collector. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const stdio: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Secrets as `npm start` prints them and CCAAS_WEBHOOK_SECRET holds them: space-separated, the first signs. */
const secretList = (secrets: string) => secrets.split(/\s+/).filter(Boolean);

/** The Standard Webhooks headers of a message, signed as the CCaaS signs: with the first secret. */
function sign(secrets: string, id: string, at: Date, payload: string): Record<string, string> {
  const [secret] = secretList(secrets);
  if (!secret) throw new Error('no webhook secret given');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, payload),
  };
}

/** Why none of the secrets verifies a message we received, or undefined when one does. */
function refusal(secrets: string, body: string, headers: Record<string, string>): string | undefined {
  const reasons = secretList(secrets).map((secret) => {
    try {
      new Webhook(secret).verify(body, headers);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  });
  return reasons.includes(undefined) ? undefined : (reasons.at(-1) ?? 'no webhook secret given');
}

/** POSTs a JSON body to our REST API signed per Standard Webhooks, as the CCaaS does. */
export async function postSigned(
  baseUrl: string,
  secrets: string,
  path: string,
  body: unknown,
  { id = randomUUID(), at = new Date() }: { id?: string; at?: Date } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = JSON.stringify(body);
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...sign(secrets, id, at, payload) },
    body: payload,
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** How many webhook ids the receiver remembers to tell repeats: the most recent, so a long run stays flat. */
const REMEMBERED_IDS = 10_000;

/**
 * Receives our webhooks: each is verified with the secrets, handed to `onWebhook`, printed as one line
 * (`<at> <type> <callId> webhook-id=<id> <data as JSON>`, with `(repeat)` for an id seen before) and answered
 * 200; a bad signature is printed as refused and answered 401.
 */
export async function listen({
  secrets,
  port = 4000,
  host = '127.0.0.1',
  output = stdio,
  onWebhook,
}: {
  secrets: string;
  port?: number;
  host?: string;
  output?: Output;
  onWebhook?: (webhook: ReceivedWebhook) => void;
}): Promise<{ url: string; close(): Promise<void> }> {
  const seen = new Set<string>();
  const server = createServer(async (req, res) => {
    const body = (await readBody(req)).toString('utf8');
    const header = (name: string) => String(req.headers[name] ?? '');
    const headers = {
      'webhook-id': header('webhook-id'),
      'webhook-timestamp': header('webhook-timestamp'),
      'webhook-signature': header('webhook-signature'),
    };
    const webhookId = headers['webhook-id'];
    const refused = refusal(secrets, body, headers);
    const received: ReceivedWebhook = {
      webhookId,
      receivedAt: new Date().toISOString(),
      verified: !refused,
      ...(refused ? { refusal: refused } : {}),
      repeat: !refused && seen.has(webhookId),
      ...parsedWebhook(body),
    };
    onWebhook?.(received);
    if (refused) {
      output.err(`refused ${req.method} ${req.url} webhook-id=${webhookId}: ${refused}`);
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'UNAUTHORIZED', message: refused } }));
      return;
    }
    const { callId, ...rest } = received.data ?? {};
    const line = received.type
      ? `${received.at} ${received.type} ${callId} webhook-id=${webhookId} ${JSON.stringify(rest)}`
      : `unreadable webhook-id=${webhookId}: ${body.slice(0, 200)}`;
    output.out(received.repeat ? `${line} (repeat)` : line);
    seen.add(webhookId);
    if (seen.size > REMEMBERED_IDS) seen.delete(seen.values().next().value as string);
    res.writeHead(200).end();
  });
  const bound = await listenOn(server, port, host);
  return {
    url: `http://${host}:${bound}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The fields of a webhook's body, `{type, at, data}`; none when it is not such JSON. */
function parsedWebhook(body: string): Pick<ReceivedWebhook, 'type' | 'at' | 'data'> {
  try {
    const { type, at, data } = JSON.parse(body) as Pick<ReceivedWebhook, 'type' | 'at' | 'data'>;
    return typeof type === 'string' && typeof data === 'object' && data !== null
      ? { type, data, ...(typeof at === 'string' ? { at } : {}) }
      : {};
  } catch {
    return {};
  }
}

class UsageError extends Error {}

/**
 * Runs one command. Resolves to the exit code; `listen` resolves once it listens and keeps the process
 * alive through its server.
 */
export async function runCcaas(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  output: Output = stdio,
): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        queue: { type: 'string' },
        'ccaas-call-id': { type: 'string' },
        reason: { type: 'string' },
        text: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
      },
    });
    const [command, ...args] = positionals;
    if (command === 'help') {
      output.out(USAGE);
      return 0;
    }
    if (!command) throw new UsageError('no command given');
    const secrets = env.CCAAS_WEBHOOK_SECRET;
    if (!secrets) throw new UsageError('CCAAS_WEBHOOK_SECRET is required: the secret npm start printed');
    const baseUrl = (env.CCAAS_URL || 'http://127.0.0.1:3000').replace(/\/$/, '');
    const expect = (count: number) => {
      if (args.length !== count) throw new UsageError(`${command} takes ${count} argument(s)`);
    };
    const event = async (callId: string, type: string) => {
      const body = {
        seq: Date.now(),
        type,
        at: new Date().toISOString(),
        ...(values.reason ? { reason: values.reason } : {}),
        ...(values.text ? { text: values.text } : {}),
      };
      return postSigned(baseUrl, secrets, `/v1/calls/${encodeURIComponent(callId)}/events`, body);
    };

    let answer: { status: number; body: unknown };
    switch (command) {
      case 'call': {
        expect(0);
        if (!values.from || !values.queue) throw new UsageError('call needs --from and --queue');
        answer = await postSigned(baseUrl, secrets, '/v1/calls', {
          ccaasCallId: values['ccaas-call-id'] ?? `sim-${randomUUID()}`,
          from: values.from,
          to: values.to ?? '+15550100000',
          queue: values.queue,
        });
        break;
      }
      case 'hangup':
        expect(1);
        answer = await event(args[0] as string, 'caller_hangup');
        break;
      case 'event': {
        expect(2);
        const type = args[1] as string;
        if (!(CCAAS_EVENT_TYPES as readonly string[]).includes(type)) {
          throw new UsageError(`unknown event type ${type}`);
        }
        answer = await event(args[0] as string, type);
        break;
      }
      case 'listen': {
        expect(0);
        const port = Number(values.port ?? 4000);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port: 0..65535');
        const { url } = await listen({
          secrets,
          port,
          ...(values.host ? { host: values.host } : {}),
          output,
        });
        output.err(`listening for webhooks on ${url} (set CCAAS_WEBHOOK_URL=${url} for npm start)`);
        return 0;
      }
      default:
        throw new UsageError(`unknown command ${command}`);
    }
    output.out(`${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.status < 300 ? 0 : 1;
  } catch (err) {
    const error = err as Error & { code?: string };
    if (error instanceof UsageError || error.code?.startsWith('ERR_PARSE_ARGS')) {
      output.err(error.message);
      output.err(USAGE);
      return 2;
    }
    output.err(`failed: ${error.message}${error.cause ? ` (${String(error.cause)})` : ''}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // `listen` keeps the process alive through its server; the other commands end with their answer.
  process.exitCode = await runCcaas(process.argv.slice(2));
}
