import { randomUUID } from 'node:crypto';
import { postSigned } from '../../local/ccaas-simulator.ts';
import { staffFetch } from './tokens.ts';

/** A fake CCaaS: signs its callbacks per Standard Webhooks (with the first secret), as a real one would. */
export function ccaasClient(baseUrl: string, secret: string) {
  let seq = 0;

  async function post(path: string, body: unknown, options: { id?: string; at?: Date } = {}) {
    return (await postSigned(baseUrl, secret, path, body, options)) as {
      status: number;
      body: Record<string, any>;
    };
  }

  return {
    post,
    async newCall(
      overrides: Partial<{
        ccaasCallId: string;
        from: string;
        to: string;
        queue: string;
        priority: number;
        requiredSkills: { skill: string; minLevel?: number }[];
      }> = {},
    ) {
      const res = await post('/v1/calls', {
        ccaasCallId: overrides.ccaasCallId ?? `ccaas-${randomUUID()}`,
        from: overrides.from ?? '+15551230000',
        to: overrides.to ?? '+15559870000',
        queue: overrides.queue ?? 'support',
        ...(overrides.priority !== undefined ? { priority: overrides.priority } : {}),
        ...(overrides.requiredSkills ? { requiredSkills: overrides.requiredSkills } : {}),
      });
      if (res.status !== 202) throw new Error(`new call refused: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.callId as string;
    },
    async event(callId: string, type: string, extra: Record<string, unknown> = {}) {
      seq += 1;
      return post(`/v1/calls/${callId}/events`, { seq, type, at: new Date().toISOString(), ...extra });
    },
  };
}

/** A staff GET (admins and supervisors) returning parsed JSON. */
export async function getJson(url: string): Promise<{ status: number; body: Record<string, any> }> {
  const res = await staffFetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
