import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { ConversationEntry, Interaction } from '../../functions/core/model.ts';
import { CallerHistory } from './caller-history.tsx';
import { clock, when } from './format.ts';
import type { Session } from './session.ts';
import { useNow } from './use-now.ts';
import type { Act, AgentView, CallView } from './use-workspace.ts';

interface Props {
  call: CallView;
  agent?: AgentView;
  interactionPending?: string;
  session: Session;
  act: Act;
}

/** The dispositions offered at wrap-up (the server takes any text). */
const DISPOSITIONS = ['Resolved', 'Follow-up needed', 'Escalated', 'Not resolved'];

/**
 * The call: its controls work without an interaction (mute, hold, hang up), transfer needs one. What the
 * CCaaS changes (hold from the phone) comes in as `callState` and shows here the same way.
 */
export function CallPanel({ call, agent, interactionPending, session, act }: Props) {
  const now = useNow();
  const live = call.state === 'connected';
  const callId = call.callId;
  const duration = call.connectedAt
    ? clock((call.endedAt ? Date.parse(call.endedAt) : now) - Date.parse(call.connectedAt))
    : '–';
  return (
    <section class="card call" aria-labelledby="call-heading">
      <h2 id="call-heading">Call</h2>
      <dl>
        <dt>Caller</dt>
        <dd>{call.from}</dd>
        <dt>Queue</dt>
        <dd>{call.queue}</dd>
        <dt>State</dt>
        <dd class="call-state">
          {[live ? 'Connected' : call.state, call.held && 'On hold', call.muted && 'Muted']
            .filter(Boolean)
            .join(', ')}
        </dd>
        <dt>Duration</dt>
        <dd class="duration">{duration}</dd>
      </dl>
      {live && (
        <div class="actions">
          <button type="button" onClick={() => act((c) => (call.muted ? c.unmute : c.mute)({ callId }))}>
            {call.muted ? 'Unmute' : 'Mute'}
          </button>
          <button type="button" onClick={() => act((c) => (call.held ? c.resume : c.hold)({ callId }))}>
            {call.held ? 'Resume' : 'Hold'}
          </button>
          <button type="button" class="danger" onClick={() => act((c) => c.hangup({ callId }))}>
            Hang up
          </button>
        </div>
      )}
      <InteractionPanel call={call} pending={interactionPending} session={session} act={act} />
      {live && <TransferForm call={call} act={act} />}
      <NotesForm callId={callId} act={act} />
      {agent?.status === 'wrap_up' && <WrapUpForm callId={callId} act={act} />}
      <CallerHistory session={session} phone={call.from} />
    </section>
  );
}

type InteractionRecord = Interaction & { conversation?: ConversationEntry[] };

function InteractionPanel({
  call,
  pending,
  session,
  act,
}: {
  call: CallView;
  pending?: string;
  session: Session;
  act: Act;
}) {
  const [record, setRecord] = useState<InteractionRecord | Error>();
  const { callId, interactionId } = call;
  const open = (id: string) =>
    session.get<InteractionRecord>(`/v1/interactions/${encodeURIComponent(id)}`).then(setRecord, setRecord);
  return (
    <section class="interaction" aria-labelledby="interaction-heading">
      <h3 id="interaction-heading">Interaction</h3>
      {interactionId ? (
        <>
          <p>
            Created: <code>{interactionId}</code>
          </p>
          <button type="button" onClick={() => open(interactionId)}>
            Open interaction
          </button>
        </>
      ) : (
        <>
          <p>Pending{pending ? ` (${pending.replaceAll('_', ' ')})` : ''}: the call goes on without it.</p>
          <button type="button" onClick={() => act((c) => c.openInteraction({ callId }))}>
            Create interaction
          </button>
        </>
      )}
      {record instanceof Error && <p role="alert">Could not open the interaction: {record.message}</p>}
      {record && !(record instanceof Error) && record.interactionId === interactionId && (
        <dl class="record" aria-label="Interaction record">
          <dt>Interaction</dt>
          <dd>{record.interactionId}</dd>
          <dt>Phone</dt>
          <dd>{record.phone}</dd>
          <dt>Status</dt>
          <dd>{record.status}</dd>
          <dt>Created</dt>
          <dd>
            {when(record.createdAt)} ({record.source.replaceAll('_', ' ')})
          </dd>
          {record.disposition && (
            <>
              <dt>Disposition</dt>
              <dd>{record.disposition}</dd>
            </>
          )}
          {record.conversation?.map((entry) => (
            <Fragment key={`${entry.at}-${entry.text}`}>
              <dt>{entry.kind === 'note' ? `Note by ${entry.by}` : 'Transcript'}</dt>
              <dd>{entry.text}</dd>
            </Fragment>
          ))}
        </dl>
      )}
    </section>
  );
}

function TransferForm({ call, act }: { call: CallView; act: Act }) {
  const [kind, setKind] = useState<'queue' | 'agent'>('queue');
  const [target, setTarget] = useState('');
  const ready = Boolean(call.interactionId);
  return (
    <form
      class="transfer"
      onSubmit={(e) => {
        e.preventDefault();
        const to = target.trim();
        void act((c) =>
          c.transfer({ callId: call.callId, ...(kind === 'queue' ? { queue: to } : { agentId: to }) }),
        );
      }}
    >
      <label>
        Transfer to
        <select value={kind} onChange={(e) => setKind(e.currentTarget.value as 'queue' | 'agent')}>
          <option value="queue">Queue</option>
          <option value="agent">Agent</option>
        </select>
      </label>
      <label>
        {kind === 'queue' ? 'Queue name' : 'Agent ID'}
        <input required value={target} onInput={(e) => setTarget(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={!ready} aria-describedby={ready ? undefined : 'transfer-hint'}>
        Transfer
      </button>
      {!ready && (
        <p id="transfer-hint" class="hint">
          Transfer needs an interaction.
        </p>
      )}
    </form>
  );
}

function NotesForm({ callId, act }: { callId: string; act: Act }) {
  const [text, setText] = useState('');
  const [added, setAdded] = useState<string[]>([]);
  return (
    <form
      class="notes"
      onSubmit={async (e) => {
        e.preventDefault();
        const note = text.trim();
        if (note && (await act((c) => c.note({ callId, text: note })))) {
          setAdded((notes) => [...notes, note]);
          setText('');
        }
      }}
    >
      <label>
        Note
        <textarea required rows={2} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <button type="submit">Add note</button>
      {added.length > 0 && (
        <ul aria-label="Notes added">
          {added.map((note, i) => (
            <li key={i}>{note}</li>
          ))}
        </ul>
      )}
    </form>
  );
}

function WrapUpForm({ callId, act }: { callId: string; act: Act }) {
  const [disposition, setDisposition] = useState(DISPOSITIONS[0] as string);
  return (
    <form
      class="wrap-up"
      onSubmit={(e) => {
        e.preventDefault();
        void act((c) => c.wrapUp({ callId, disposition }));
      }}
    >
      <label>
        Disposition
        <select value={disposition} onChange={(e) => setDisposition(e.currentTarget.value)}>
          {DISPOSITIONS.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" class="primary">
        Wrap up
      </button>
    </form>
  );
}
