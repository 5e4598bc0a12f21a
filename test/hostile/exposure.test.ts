import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startLocalStack } from '../../local/stack.ts';
import { useLocalStack } from '../support/stack.ts';
import { staffFetch } from '../support/tokens.ts';

/** A port nobody listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('what the public port exposes, even bound to every address', () => {
  const ctx = useLocalStack({ host: '0.0.0.0' });

  it.each([
    ['DynamoDB', 'DynamoDB_20120810.Scan', { TableName: 'Agents' }],
    ['Step Functions', 'AWSStepFunctions.ListExecutions', {}],
    ['EventBridge', 'AWSEvents.PutEvents', { Entries: [] }],
  ])('serves no %s API', async (_service, target, body) => {
    const res = await fetch(ctx.stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });

  it('serves no @connections API: nobody outside can push to or close an agent socket', async () => {
    const agent = await (await ctx.agent('exposed-agent')).connect();
    for (const method of ['POST', 'DELETE', 'GET']) {
      const res = await fetch(`${ctx.stack.url}/@connections/anything`, {
        method,
        body: method === 'POST' ? 'x' : null,
      });
      expect(res.status, method).toBe(404);
    }
    expect(await agent.request({ action: 'sync' })).toMatchObject({ type: 'snapshot' });
  });

  it('serves the web pages on the public port only, never on the port of the local AWS services', async () => {
    const page = await fetch(`${ctx.stack.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect((await fetch(`${ctx.stack.url}/assets/workspace.js`)).status).toBe(200);
    for (const path of ['/', '/assets/workspace.js', '/assets/workspace.css']) {
      const res = await fetch(`${ctx.stack.awsEndpoint}${path}`);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.headers.get('content-type') ?? '', path).not.toMatch(/html|javascript|css/);
    }
  });

  it('keeps the local AWS services on loopback', () => {
    expect(new URL(ctx.stack.awsEndpoint).hostname).toBe('127.0.0.1');
  });
});

describe('starting up', () => {
  it('opens the port only once it can answer: never a 5xx while starting', async () => {
    const port = await freePort();
    const seen: string[] = [];
    let started = false;
    const probing = (async () => {
      while (!started) {
        try {
          seen.push(String((await fetch(`http://127.0.0.1:${port}/v1/agents`)).status));
        } catch {
          seen.push('refused');
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    const stack = await startLocalStack({ port, onError: (m) => seen.push(`error: ${m}`) });
    started = true;
    await probing;
    const ready = await staffFetch(`${stack.url}/v1/agents`);
    await stack.close();

    expect(seen.length).toBeGreaterThan(3);
    expect(seen.filter((s) => s !== 'refused' && s !== '200')).toEqual([]);
    expect(ready.status).toBe(200);
  });

  it('refuses to start on a port that is taken, with the error that says so', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      await expect(startLocalStack({ port, onError: () => undefined })).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});
