/**
 * `npm run redrive`: sends the dead-lettered webhooks to the CCaaS again, through the admins' route
 * `POST /v1/dead-letters/redrive` (their dead-letter queue moves back to the webhook outbox). Against the
 * local runtime it signs in as a local admin; against a deployed stack it takes an admin's token (or use
 * the AWS CLI, docs/operations.md). Importable, so tests run it in-process.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type Output, stdio } from './ccaas-simulator.ts';

const USAGE = `Usage: npm run redrive -- [--url <REST API>] [--rate <messages a second>]

Moves the dead-lettered webhooks back to the outbox, to be delivered again; prints the answer
(202 {"taskHandle", "messages"}: the move runs in the background).

Options:
  --url    the REST API (default http://127.0.0.1:3000; on AWS the HttpApiUrl output)
  --rate   move at most this many a second (1 to 500; SQS picks the pace without it)

Environment:
  ADMIN_TOKEN   a token of someone in the admins group; without it, one is asked of the local runtime's
                token issuer (POST /dev/token), which only the local runtime has

Exit codes: 0 started, 1 refused or unreachable, 2 bad arguments.`;

/** A local admin's token, from the dev issuer of the local runtime at `baseUrl`. */
async function localAdminToken(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ agentId: 'redrive', groups: ['admins'] }),
  });
  if (res.status !== 200) {
    throw new Error(
      `${baseUrl} has no local token issuer (${res.status}): set ADMIN_TOKEN to an admin's token`,
    );
  }
  return ((await res.json()) as { token: string }).token;
}

/** Runs the command; resolves to its exit code. */
export async function runRedrive(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  output: Output = stdio,
): Promise<number> {
  let baseUrl: string;
  let rate: number | undefined;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { url: { type: 'string' }, rate: { type: 'string' }, help: { type: 'boolean' } },
    });
    if (values.help) {
      output.out(USAGE);
      return 0;
    }
    baseUrl = (values.url ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
    if (values.rate !== undefined) {
      rate = Number(values.rate);
      // What SQS takes for a move task's pace.
      if (!Number.isInteger(rate) || rate < 1 || rate > 500) {
        throw new Error(`--rate must be a whole number of messages a second, 1 to 500 (not ${values.rate})`);
      }
    }
  } catch (err) {
    output.err((err as Error).message);
    output.err(USAGE);
    return 2;
  }
  try {
    const token = env.ADMIN_TOKEN || (await localAdminToken(baseUrl));
    const res = await fetch(`${baseUrl}/v1/dead-letters/redrive`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(rate ? { messagesPerSecond: rate } : {}),
    });
    output.out(`${res.status} ${await res.text()}`);
    return res.status === 202 ? 0 : 1;
  } catch (err) {
    const error = err as Error;
    output.err(`failed: ${error.message}${error.cause ? ` (${String(error.cause)})` : ''}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runRedrive(process.argv.slice(2));
}
