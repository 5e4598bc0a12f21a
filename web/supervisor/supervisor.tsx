import type { CallStatus } from '../../functions/core/model.ts';
import type { SupervisorStats } from '../../functions/core/use-cases/supervision.ts';
import { Table } from '../shared/table.tsx';
import { clock, STATUS_LABELS } from '../workspace/format.ts';
import type { Session } from '../workspace/session.ts';
import { SignOut } from '../workspace/sign-in.tsx';
import { useNow } from '../workspace/use-now.ts';
import { useStats } from './use-stats.ts';

const CALL_STATUS_LABELS: Partial<Record<CallStatus, string>> = {
  queued: 'Queued',
  offering: 'Offered',
  connected: 'Connected',
};

/** The supervisor view: agents, queues, live calls and today's counts, renewed every couple of seconds. */
export function Supervisor({ session }: { session: Session }) {
  const { stats, problem } = useStats(session);
  const now = useNow();
  return (
    <>
      <header>
        <h1>Supervisor view</h1>
        <p class="who">{session.agentId}</p>
        {stats && <p class="updated">Updated {new Date(stats.at).toLocaleTimeString()}</p>}
        <SignOut session={session} />
      </header>
      {problem && (
        <p role="alert" class="problem">
          {problem}
        </p>
      )}
      {stats && (
        <>
          <Queues queues={stats.queues} />
          <Agents agents={stats.agents} now={now} />
          <LiveCalls calls={stats.liveCalls} now={now} />
          <Today today={stats.today} interactionsPending={stats.interactionsPending} />
        </>
      )}
    </>
  );
}

const since = (iso: string, now: number) => clock(now - Date.parse(iso));

function Agents({ agents, now }: { agents: SupervisorStats['agents']; now: number }) {
  return (
    <Table caption="Agents" columns={['Agent', 'Status', 'Time in status', 'Queues']}>
      {agents.map((a) => (
        <tr key={a.agentId}>
          <th scope="row">
            {a.name} ({a.agentId})
          </th>
          <td>{STATUS_LABELS[a.status]}</td>
          <td class="number">{since(a.statusSince, now)}</td>
          <td>{a.queues.join(', ')}</td>
        </tr>
      ))}
    </Table>
  );
}

function Queues({ queues }: { queues: SupervisorStats['queues'] }) {
  return (
    <Table caption="Queues" columns={['Queue', 'Waiting', 'Longest wait']}>
      {queues.map((q) => (
        <tr key={q.queue}>
          <th scope="row">{q.queue}</th>
          <td class="number">{q.waiting}</td>
          <td class="number">{clock(q.longestWaitSeconds * 1000)}</td>
        </tr>
      ))}
    </Table>
  );
}

function LiveCalls({ calls, now }: { calls: SupervisorStats['liveCalls']; now: number }) {
  return (
    <Table caption="Live calls" columns={['Caller', 'Queue', 'Status', 'Agent', 'Connected for']}>
      {calls.map((c) => (
        <tr key={c.callId}>
          <th scope="row">{c.from}</th>
          <td>{c.queue}</td>
          <td>{CALL_STATUS_LABELS[c.status] ?? c.status}</td>
          <td>{c.agentId ?? ''}</td>
          <td class="number">{c.connectedAt ? since(c.connectedAt, now) : ''}</td>
        </tr>
      ))}
    </Table>
  );
}

function Today({
  today,
  interactionsPending,
}: {
  today: SupervisorStats['today'];
  interactionsPending: number;
}) {
  const average = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);
  const rows: [string, string | number][] = [
    ['Answered', today.answered],
    ['Rejected', today.rejected],
    ['Missed', today.missed],
    ['Abandoned', today.abandoned],
    ['Overflowed', today.overflowed],
    ['Average time to offer', average(today.averageTimeToOfferMs)],
    ['Average speed of answer', average(today.averageSpeedOfAnswerMs)],
    ['Interactions pending', interactionsPending],
  ];
  return (
    <Table caption="Today (since midnight UTC)">
      {rows.map(([label, value]) => (
        <tr key={label}>
          <th scope="row">{label}</th>
          <td class="number">{value}</td>
        </tr>
      ))}
    </Table>
  );
}
