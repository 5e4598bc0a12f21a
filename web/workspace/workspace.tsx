import type { ConnectionState } from '../../client/agent-client.ts';
import { SELECTABLE_AGENT_STATUSES, type SelectableAgentStatus } from '../../functions/core/model.ts';
import { CallPanel } from './call-panel.tsx';
import { STATUS_LABELS } from './format.ts';
import { OfferCard } from './offer-card.tsx';
import type { Session } from './session.ts';
import { SignOut } from './sign-in.tsx';
import { type Act, type AgentView, useWorkspace } from './use-workspace.ts';
import { WorkItems } from './work-items.tsx';

/** The signed-in agent's workspace: status, the offer when there is one, the call when there is one. */
export function Workspace({ session }: { session: Session }) {
  const { state, act } = useWorkspace(session);
  const { agent, offer, call } = state;
  return (
    <>
      <header>
        <h1>Agent workspace</h1>
        <p class="who">{agent ? `${agent.name} (${agent.agentId})` : session.agentId}</p>
        <StatusControl agent={agent} act={act} />
        <SignOut session={session} />
      </header>
      <ConnectionBanner connection={state.connection} connectedOnce={state.connectedOnce} />
      {state.problem && (
        <p role="alert" class="problem">
          {state.problem}
        </p>
      )}
      {offer && <OfferCard key={offer.offerId} offer={offer} session={session} act={act} />}
      {call && (
        <CallPanel
          key={call.callId}
          call={call}
          agent={agent}
          interactionPending={state.interactionPending}
          session={session}
          act={act}
        />
      )}
      <WorkItems session={session} missed={state.missed} />
      {!offer && !call && agent && (
        <p class="idle">
          {agent.status === 'available'
            ? 'Waiting for a call.'
            : 'Set your status to Available to take calls.'}
        </p>
      )}
    </>
  );
}

const selectable = (status: string): status is SelectableAgentStatus =>
  (SELECTABLE_AGENT_STATUSES as readonly string[]).includes(status);

/** The statuses an agent picks; one the system set (on a call, wrap-up...) is shown beside it. */
function StatusControl({ agent, act }: { agent?: AgentView; act: Act }) {
  const status = agent?.status;
  return (
    <div class="status">
      <label>
        Status
        <select
          disabled={!agent}
          value={status && selectable(status) ? status : ''}
          onChange={(e) => {
            const chosen = e.currentTarget.value;
            if (selectable(chosen)) void act((c) => c.setStatus({ status: chosen }));
          }}
        >
          {SELECTABLE_AGENT_STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABELS[s]}
            </option>
          ))}
        </select>
      </label>
      {status && !selectable(status) && <span class="system-status">{STATUS_LABELS[status]}</span>}
    </div>
  );
}

/**
 * Shown while the socket is down: the client reconnects by itself, and the snapshot after restores the page.
 * Once a socket has been open, every state until the next one opens is a reconnect, its attempts included.
 */
function ConnectionBanner({
  connection,
  connectedOnce,
}: {
  connection: ConnectionState;
  connectedOnce: boolean;
}) {
  const down = connection.state === 'reconnecting' || connection.state === 'connecting';
  const lost = down && (connectedOnce || connection.state === 'reconnecting');
  if (!down) return null;
  return (
    <p role="status" class={lost ? 'banner lost' : 'banner'}>
      {lost ? 'Connection lost: reconnecting…' : 'Connecting…'}
    </p>
  );
}
