import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveWebPages } from '../../local/web-pages.ts';
import { startAuthorizationServer } from '../support/authorization-server.ts';
import { useBrowser } from '../support/browser.ts';
import { useLocalStack } from '../support/stack.ts';

const CLIENT_ID = 'workspace-client';

/**
 * The workspace as it runs on AWS: its files from another origin than the APIs (as CloudFront serves them,
 * with a `config.json` that says "cognito" and the content security policy naming the APIs and the sign-in
 * domain), signing in through an authorization server that stands for Cognito's managed login and hands
 * out the local runtime's tokens, and the local runtime as the APIs.
 */
describe('the workspace signed in with Cognito, as on AWS', () => {
  const ctx = useLocalStack();
  let auth: Awaited<ReturnType<typeof startAuthorizationServer>>;
  let site: Server;
  const siteUrl = () => `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  const web = useBrowser(siteUrl);

  beforeAll(async () => {
    auth = await startAuthorizationServer({
      clientId: CLIENT_ID,
      // Whom the managed login signs in: an agent, or (`sup-…`) a supervisor.
      issue: async (sub) => {
        const res = await fetch(`${ctx.stack.url}/dev/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            agentId: sub,
            ...(sub.startsWith('sup-') ? { groups: ['supervisors'] } : {}),
          }),
        });
        return ((await res.json()) as { token: string }).token;
      },
    });
    site = createServer();
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const pages = serveWebPages({
      config: {
        mode: 'cognito',
        restApiUrl: ctx.stack.url,
        webSocketUrl: ctx.stack.wsUrl,
        cognito: {
          region: 'local',
          userPoolId: 'local',
          clientId: CLIENT_ID,
          domain: auth.url,
          redirectUri: `${siteUrl()}/`,
        },
      },
      connectTo: [ctx.stack.url, new URL(ctx.stack.wsUrl).origin, auth.url],
    });
    site.on('request', (req, res) => {
      if (!pages(req, res, new URL(req.url ?? '/', siteUrl()))) res.writeHead(404).end();
    });
  });
  afterAll(async () => {
    await new Promise((resolve) => site?.close(resolve));
    await auth?.close();
  });

  it('signs in through the managed login with PKCE, opens the socket with the token, and signs out', async () => {
    await ctx.agent('cognito-agent', { queues: ['cognito-q'] });
    auth.state.signInAs = 'cognito-agent';
    const page = await web.newPage('cognito-agent');
    await page.goto(`${siteUrl()}/`);

    // No id to type: the sign-in is Cognito's.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByRole('combobox', { name: 'Status' }).isEnabled(), { timeout: 10_000 })
      .toBe(true);
    expect(await page.getByLabel('Agent ID').count()).toBe(0);

    // The code came back, was exchanged with its verifier, and left the address.
    expect(page.url()).toBe(`${siteUrl()}/`);
    const [exchange] = auth.tokenRequests;
    expect(exchange?.get('grant_type')).toBe('authorization_code');
    expect(exchange?.get('code_verifier')).toMatch(/^[\w-]{43}$/);
    // The tokens live in this tab's session storage, nowhere else.
    expect(await page.evaluate('[Object.keys(sessionStorage), Object.keys(localStorage)]')).toEqual([
      ['cognito.tokens'],
      [],
    ]);
    // The socket is the agent's: going available reaches the server.
    await page.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'Available' });
    await page.getByText('Waiting for a call.').waitFor();
    await expect.poll(() => ctx.agentStatus('cognito-agent')).toBe('available');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate('Object.keys(sessionStorage)')).toEqual([]);
  });

  it('signs the supervisor view in and reads the REST API from another origin (the API answers CORS)', async () => {
    await ctx.agent('cognito-watched', { queues: ['cognito-q'] });
    auth.state.signInAs = 'sup-cognito';
    const page = await web.newPage('sup-cognito');
    await page.goto(`${siteUrl()}/supervisor`);

    await page.getByRole('button', { name: 'Sign in' }).click();

    // Back on its own page, with what only GET /v1/stats, read across origins, can show.
    await page
      .getByRole('table', { name: 'Agents' })
      .getByRole('rowheader', { name: 'cognito-watched (cognito-watched)', exact: true })
      .waitFor({ timeout: 10_000 });
    expect(new URL(page.url()).pathname).toBe('/supervisor');
  });
});
