import type { AgentView } from './use-workspace.ts';

/** What each agent status reads as on the page. */
export const STATUS_LABELS: Record<AgentView['status'], string> = {
  available: 'Available',
  away: 'Away',
  offline: 'Offline',
  not_responding: 'Not responding',
  reserved: 'Offered a call',
  on_call: 'On a call',
  wrap_up: 'Wrap-up',
};

/** A length of time as m:ss, or h:mm:ss from an hour on. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** A moment as the agent's locale writes a date and time. */
export const when = (iso: string) => new Date(iso).toLocaleString();
