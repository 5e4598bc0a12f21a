import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { boot as bootProcess, startProcess as start } from '../support/npm-start.ts';
import { staffFetch } from '../support/tokens.ts';

describe('npm start', () => {
  const running: ChildProcess[] = [];
  afterEach(() => {
    for (const child of running.splice(0)) child.kill('SIGKILL');
  });

  async function boot(env: Record<string, string> = {}) {
    const proc = await bootProcess(env);
    running.push(proc.child);
    return proc;
  }

  it('prints its URLs and signing secret, serves the API, the workspace and the simulator pages, and stops cleanly on SIGTERM', async () => {
    const proc = await boot({ CCAAS_WEBHOOK_SECRET: '' });
    expect(proc.output()).toMatch(/CCaaS signing secret \(Standard Webhooks\): whsec_\S+/);
    expect(proc.output()).toContain('/ws?token=');
    expect(proc.output()).toContain(`Agent workspace   ${proc.url}/`);
    expect(proc.output()).toContain(`Supervisor view   ${proc.url}/supervisor`);
    expect(proc.output()).toContain(`CCaaS simulator   ${proc.url}/simulator`);
    expect(proc.output()).toContain('CCaaS webhooks    to the CCaaS simulator page');
    for (const path of ['/', '/simulator']) {
      const page = await fetch(`${proc.url}${path}`);
      expect(page.headers.get('content-type')).toContain('text/html');
      const script = /src="([^"]+\.js)"/.exec(await page.text())?.[1];
      expect((await fetch(`${proc.url}${script}`)).headers.get('content-type')).toContain('javascript');
    }
    expect((await staffFetch(`${proc.url}/v1/agents`)).status).toBe(200);
    // Agents to sign in as, so that a call can be taken with the browser alone.
    expect(proc.output()).toContain('Demo agents       alice, bob (queue support)');
    for (const agentId of ['alice', 'bob']) {
      const agent = (await (await staffFetch(`${proc.url}/v1/agents/${agentId}`)).json()) as {
        queues: string[];
      };
      expect(agent.queues).toEqual(['support']);
    }
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  }, 60_000);

  it('refuses a bad setting with a clear message', async () => {
    const proc = start({ OFFER_TIMEOUT_SECONDS: 'soon' });
    running.push(proc.child);
    expect(await proc.exited).toBe(2);
    expect(proc.errors()).toContain('OFFER_TIMEOUT_SECONDS must be a whole number');
  }, 60_000);

  it('keeps its data across a restart when DATA_DIR is set', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'call-resiliency-'));
    try {
      const first = await boot({ DATA_DIR: dir });
      const put = await staffFetch(`${first.url}/v1/agents/kept`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Kept', queues: ['support'] }),
      });
      expect(put.status).toBe(201);
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);

      const second = await boot({ DATA_DIR: dir });
      const { agents } = (await (await staffFetch(`${second.url}/v1/agents`)).json()) as {
        agents: { agentId: string }[];
      };
      expect(agents.map((a) => a.agentId)).toContain('kept');
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
