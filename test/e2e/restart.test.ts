import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateWebhookSecret } from '../../local/stack.ts';
import { AgentClient } from '../support/agent.ts';
import { ccaasClient, getJson } from '../support/ccaas.ts';
import { boot } from '../support/npm-start.ts';
import { eventually } from '../support/poll.ts';

const OFFER_TIMEOUT_SECONDS = 10;

/** Takes every offer that comes, talks, hangs up and wraps up, until told to stop. */
async function work(agent: AgentClient, answered: Set<string>, stop: () => boolean): Promise<void> {
  while (!stop()) {
    const offer = await agent.next('offer', 30_000).catch(() => undefined);
    if (!offer) continue;
    const accepted = await agent.request({ action: 'accept', offerId: offer.offerId }, 10_000);
    if (accepted.type !== 'ack') continue;
    await agent.waitFor(
      (m) => m.type === 'callState' && m.callId === offer.callId && m.state === 'connected',
    );
    await agent.request({ action: 'hangup', callId: offer.callId });
    await agent.request({ action: 'wrapUp', callId: offer.callId, disposition: 'restart test' });
    answered.add(offer.callId);
  }
}

describe('a restart of npm start with DATA_DIR', () => {
  const running: ChildProcess[] = [];
  const clients: AgentClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    for (const child of running.splice(0)) child.kill('SIGKILL');
  });

  it('loses no call: waiting, offered and connected calls all go on, and every answered call gets its interaction', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'call-resiliency-restart-'));
    const secret = generateWebhookSecret();
    const env = {
      DATA_DIR: dir,
      CCAAS_WEBHOOK_SECRET: secret,
      OFFER_TIMEOUT_SECONDS: String(OFFER_TIMEOUT_SECONDS),
      SWEEP_INTERVAL_SECONDS: '1',
    };
    const agentIds = ['restart-1', 'restart-2', 'restart-3', 'restart-4'];
    try {
      // Before: two calls connected (their interactions still being created by a slow CRM), two offered
      // and unanswered, sixteen waiting.
      const first = await boot(env);
      running.push(first.child);
      const before = await Promise.all(
        agentIds.map(async (id) => {
          const agent = await AgentClient.register(first.url, first.wsUrl, id, { queues: ['restart'] });
          clients.push(agent);
          return agent.online();
        }),
      );
      const ccaas = ccaasClient(first.url, secret);
      const callIds: string[] = [];
      for (let i = 0; i < 20; i++) callIds.push(await ccaas.newCall({ queue: 'restart' }));
      const offers = await Promise.all(before.map((agent) => agent.next('offer')));
      await fetch(`${first.url}/dev/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ interactionStoreLatencyMs: 30_000 }),
      });
      for (const [i, agent] of before.slice(0, 2).entries()) {
        expect(await agent.request({ action: 'accept', offerId: offers[i]?.offerId })).toMatchObject({
          type: 'ack',
        });
      }
      const status = async (url: string) =>
        (
          await Promise.all(callIds.map(async (id) => (await getJson(`${url}/v1/calls/${id}`)).body.status))
        ).sort();
      await eventually(async () => {
        const s = await status(first.url);
        return (
          s.filter((x) => x === 'connected').length === 2 && s.filter((x) => x === 'offering').length === 2
        );
      });
      expect(await status(first.url)).toEqual([
        ...Array(2).fill('connected'),
        ...Array(2).fill('offering'),
        ...Array(16).fill('queued'),
      ]);

      // The process dies at once: no $disconnect, no workflow told anything.
      first.child.kill('SIGKILL');
      await first.exited;
      await Promise.all(clients.splice(0).map((c) => c.close()));

      const second = await boot(env);
      running.push(second.child);
      const restartedAt = Date.now();
      const after = await Promise.all(
        agentIds.map(async (id) => {
          const agent = await new AgentClient(second.url, second.wsUrl, id).connect();
          clients.push(agent);
          return agent;
        }),
      );
      // The connected calls are still on their agents' screens; the offered ones went back to the queue.
      for (const [i, agent] of after.slice(0, 2).entries()) {
        const snapshot = await agent.request({ action: 'sync' });
        expect(snapshot.calls).toEqual([
          expect.objectContaining({ callId: offers[i]?.callId, state: 'connected' }),
        ]);
      }
      const answered = new Set<string>();
      let done = false;
      const workers = after.slice(2).map(async (agent) => {
        await agent.request({ action: 'setStatus', status: 'available' });
        await work(agent, answered, () => done);
      });
      await eventually(() => answered.size >= 1, {
        timeoutMs: OFFER_TIMEOUT_SECONDS * 1000,
        what: 'a first call',
      });
      expect(Date.now() - restartedAt).toBeLessThan(OFFER_TIMEOUT_SECONDS * 1000);
      for (const [i, agent] of after.slice(0, 2).entries()) {
        await agent.request({ action: 'hangup', callId: offers[i]?.callId });
        await agent.request({ action: 'wrapUp', callId: offers[i]?.callId, disposition: 'restart test' });
        workers.push(work(agent, answered, () => done));
      }
      await eventually(async () => (await status(second.url)).every((s) => s === 'completed'), {
        timeoutMs: 60_000,
        what: 'every call to be answered and completed',
      });
      done = true;
      await Promise.all(workers);

      await eventually(
        async () => {
          const calls = await Promise.all(
            callIds.map(async (id) => (await getJson(`${second.url}/v1/calls/${id}`)).body),
          );
          return calls.every((c) => c.interaction.status === 'created');
        },
        { timeoutMs: 90_000, what: 'every answered call to have its interaction' },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
