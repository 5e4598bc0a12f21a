/**
 * The agents `npm start` registers, so that a person can sign in to the workspace and take a call with the
 * browser alone: `alice` and `bob`, in queue `support`. They are registered through the REST API like any
 * agent (an admin's token from the local token issuer, `PUT /v1/agents/{agentId}`), and only when missing,
 * so an agent kept in DATA_DIR keeps its profile.
 */
export const DEMO_AGENTS = [
  { agentId: 'alice', name: 'Alice', queues: ['support'] },
  { agentId: 'bob', name: 'Bob', queues: ['support'] },
] as const;

export async function registerDemoAgents(baseUrl: string): Promise<void> {
  const issued = await fetch(`${baseUrl}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ agentId: 'npm-start', groups: ['admins'] }),
  });
  if (!issued.ok) throw new Error(`no admin token for the demo agents: ${issued.status}`);
  const { token } = (await issued.json()) as { token: string };
  const authorization = `Bearer ${token}`;
  for (const { agentId, ...profile } of DEMO_AGENTS) {
    const found = await fetch(`${baseUrl}/v1/agents/${agentId}`, { headers: { authorization } });
    if (found.status === 200) continue;
    const put = await fetch(`${baseUrl}/v1/agents/${agentId}`, {
      method: 'PUT',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify(profile),
    });
    if (!put.ok) throw new Error(`demo agent ${agentId} not registered: ${put.status} ${await put.text()}`);
  }
}
