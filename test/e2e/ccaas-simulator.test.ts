import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { listen, runCcaas } from '../../local/ccaas-simulator.ts';
import { generateWebhookSecret } from '../../local/stack.ts';
import { eventually } from '../support/poll.ts';
import { useLocalStack } from '../support/stack.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const secret = generateWebhookSecret();
const printed = { out: [] as string[], err: [] as string[] };
const output = {
  out: (line: string) => printed.out.push(line),
  err: (line: string) => printed.err.push(line),
};
// `npm run ccaas -- listen`, in-process on a free port, started before the stack that delivers to it.
const listener = await listen({ secrets: secret, port: 0, output });

/** The CLI as a person runs it: its own process, configured by the environment. */
async function cli(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'local/ccaas-simulator.ts', ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 20_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the CCaaS simulator (npm run ccaas)', () => {
  const ctx = useLocalStack({ webhookSecret: secret, ccaasWebhookUrl: listener.url });
  const env = () => ({ CCAAS_URL: ctx.stack.url, CCAAS_WEBHOOK_SECRET: secret });
  afterAll(() => listener.close());

  it('reports a call that gets offered, hangs it up, and prints our webhooks about it', async () => {
    const agent = await (await ctx.agent('sim-a', { queues: ['sim'] })).online();

    const created = await cli(['call', '--from', '+15551234567', '--queue', 'sim'], env());

    expect(created.code).toBe(0);
    const [, status, answer] = /^(\d+) (.*)$/m.exec(created.stdout) ?? [];
    expect(status).toBe('202');
    const { callId } = JSON.parse(answer as string);
    const offer = await agent.next('offer');
    expect(offer).toMatchObject({ callId, from: '+15551234567', queue: 'sim' });
    await agent.request({ action: 'accept', offerId: offer.offerId });
    await agent.waitFor((m) => m.type === 'callState' && m.state === 'connected');

    expect(await runCcaas(['hangup', callId], env(), output)).toBe(0);

    expect(await ctx.call(callId)).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    const lines = await eventually(
      () => {
        const about = printed.out.filter((line) => line.includes(` ${callId} `));
        return about.some((line) => line.includes(' call.ended ')) ? about : undefined;
      },
      { what: 'the webhooks of the call printed' },
    );
    for (const type of ['call.offered', 'call.accepted', 'call.ended']) {
      expect(lines.some((line) => new RegExp(`^\\S+ ${type} ${callId} webhook-id=${type}:`).test(line))).toBe(
        true,
      );
    }
  });

  it('listens for webhooks and refuses a bad signature with 401', async () => {
    const body = JSON.stringify({ type: 'call.ended', id: 'forged', at: new Date().toISOString(), data: {} });
    const at = new Date();
    const res = await fetch(listener.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'forged',
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(generateWebhookSecret()).sign('forged', at, body),
      },
      body,
    });

    expect(res.status).toBe(401);
    expect(printed.err.some((line) => line.startsWith('refused') && line.includes('webhook-id=forged'))).toBe(
      true,
    );
    expect(printed.out.some((line) => line.includes('forged'))).toBe(false);
  });

  it('exits 2 with the usage on bad arguments or without a secret', async () => {
    const run = (args: string[], environment: Record<string, string> = env()) =>
      runCcaas(args, environment, { out: () => undefined, err: () => undefined });

    expect(await run(['call', '--from', '+1'])).toBe(2);
    expect(await run(['event', 'call_x', 'danced'])).toBe(2);
    expect(await run(['hangup'])).toBe(2);
    expect(await run(['call', '--from', '+1', '--queue', 'q', '--colour', 'red'])).toBe(2);
    expect(await run(['call', '--from', '+1', '--queue', 'q'], { CCAAS_URL: ctx.stack.url })).toBe(2);
    const bad = await cli(['teleport'], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Usage: npm run ccaas');
  });

  it('exits 1 when our API refuses the callback', async () => {
    expect(await runCcaas(['event', `call_${randomUUID()}`, 'ended'], env(), output)).toBe(1);
  });
});
