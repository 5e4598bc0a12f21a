import type { StaffGroup } from '../../functions/manifest/index.ts';

/** A token of the local dev issuer for `subject` with these groups (`/dev/token`). */
export async function tokenFor(
  baseUrl: string,
  subject: string,
  groups?: readonly StaffGroup[],
  ttlSeconds?: number,
): Promise<string> {
  const res = await fetch(`${new URL(baseUrl).origin}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      agentId: subject,
      ...(groups ? { groups } : {}),
      ...(ttlSeconds ? { ttlSeconds } : {}),
    }),
  });
  if (res.status !== 200) throw new Error(`token for ${subject}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** The `authorization` header of someone in these groups. */
export async function bearer(
  baseUrl: string,
  groups: readonly StaffGroup[] = ['admins', 'supervisors'],
  subject = 'ops',
): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await tokenFor(baseUrl, subject, groups)}` };
}

/** A fetch as the operations staff (admins and supervisors), the way tests look at the system. */
export async function staffFetch(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, {
    ...init,
    headers: { ...(await bearer(url)), ...(init.headers as Record<string, string>) },
  });
}
