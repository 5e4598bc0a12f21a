import { useState } from 'preact/hooks';
import { CCAAS_EVENT_TYPES, type CcaasEventType } from '../../functions/core/vocabulary.ts';
import type { SimulatedCall, SimulatorView } from '../../local/ccaas-view.ts';
import { Table } from '../shared/table.tsx';
import { PlaceCall } from './place-call.tsx';
import { type Outcome, useSimulator } from './use-simulator.ts';

const STATE_LABELS: Record<SimulatedCall['state'], string> = {
  queued: 'Queued',
  offered: 'Offered',
  connected: 'Connected',
  ended: 'Ended',
  overflowed: 'Overflowed',
};

/** Each event's button, named by what the CCaaS does; the transcript has a text field and a button of its own. */
const EVENT_BUTTONS: Record<Exclude<CcaasEventType, 'transcript'>, string> = {
  held: 'Hold',
  resumed: 'Resume',
  muted: 'Mute',
  unmuted: 'Unmute',
  caller_hangup: 'Caller hangs up',
  ended: 'End call',
  transferred: 'Report transferred',
  bridged: 'Report bridged',
  bridge_failed: 'Report bridge failed',
};

const live = (call: SimulatedCall) => call.state !== 'ended' && call.state !== 'overflowed';

/**
 * The CCaaS simulator, a local-only page: it places calls and sends call events as the CCaaS would (the
 * runtime signs them), and shows the calls it placed and the webhooks we send back, renewed every second.
 */
export function Simulator() {
  const { view, problem, outcome, post } = useSimulator();
  const sendEvent = (callId: string, event: { type: CcaasEventType; text?: string; reason?: string }) =>
    post(`/dev/ccaas/calls/${encodeURIComponent(callId)}/events`, event, (answer) =>
      answer.applied
        ? `${event.type} applied to ${callId}`
        : `${event.type} not applied to ${callId} (stale)`,
    );
  return (
    <>
      <header>
        <h1>CCaaS simulator</h1>
        <p class="who">Signs its callbacks with this runtime's secret</p>
      </header>
      {problem && (
        <p role="alert" class="problem">
          {problem}
        </p>
      )}
      <PlaceCall post={post} />
      <LastOutcome outcome={outcome} />
      {view && (
        <>
          <Calls calls={view.calls} hangUp={(callId) => sendEvent(callId, { type: 'caller_hangup' })} />
          <CallEvents calls={view.calls.filter(live)} send={sendEvent} />
          <Webhooks view={view} />
        </>
      )}
    </>
  );
}

function LastOutcome({ outcome }: { outcome?: Outcome }) {
  return (
    <p role="status" class={outcome?.ok === false ? 'problem' : 'hint'}>
      {outcome?.text ?? 'Place a call: it is offered to an available agent of its queue.'}
    </p>
  );
}

function Calls({ calls, hangUp }: { calls: SimulatedCall[]; hangUp: (callId: string) => void }) {
  return (
    <Table caption="Calls" columns={['Caller', 'Queue', 'State', 'Agent', 'Call', '']}>
      {calls.map((c) => (
        <tr key={c.callId}>
          <th scope="row">{c.from}</th>
          <td>{c.queue}</td>
          <td class="call-state">
            {[STATE_LABELS[c.state], live(c) && c.held && 'On hold', live(c) && c.muted && 'Muted']
              .filter(Boolean)
              .join(', ')}
          </td>
          <td>{c.agentId ?? ''}</td>
          <td>
            <code>{c.callId}</code>
          </td>
          <td>
            {live(c) && (
              <button type="button" class="danger" onClick={() => hangUp(c.callId)}>
                Hang up
              </button>
            )}
          </td>
        </tr>
      ))}
    </Table>
  );
}

/** The events the CCaaS reports, for one live call chosen in "Call" (the most recent by default). */
function CallEvents({
  calls,
  send,
}: {
  calls: SimulatedCall[];
  send: (callId: string, event: { type: CcaasEventType; text?: string; reason?: string }) => Promise<boolean>;
}) {
  const [chosen, setChosen] = useState('');
  const [text, setText] = useState('');
  const [reason, setReason] = useState('');
  const callId = calls.some((c) => c.callId === chosen) ? chosen : (calls[0]?.callId ?? '');
  const types = CCAAS_EVENT_TYPES.filter((t): t is keyof typeof EVENT_BUTTONS => t !== 'transcript');
  return (
    <section class="card" aria-labelledby="events-heading">
      <h2 id="events-heading">Call events</h2>
      <div class="actions">
        <label>
          Call
          <select value={callId} disabled={!calls.length} onChange={(e) => setChosen(e.currentTarget.value)}>
            {calls.map((c) => (
              <option key={c.callId} value={c.callId}>
                {c.from} ({c.callId})
              </option>
            ))}
          </select>
        </label>
        <label>
          Reason (optional)
          <input value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
      </div>
      <div class="actions">
        {types.map((type) => (
          <button
            key={type}
            type="button"
            disabled={!callId}
            onClick={() => send(callId, { type, ...(reason.trim() ? { reason: reason.trim() } : {}) })}
          >
            {EVENT_BUTTONS[type]}
          </button>
        ))}
      </div>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (await send(callId, { type: 'transcript', text: text.trim() })) setText('');
        }}
      >
        <label>
          Transcript text
          <input required value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={!callId}>
          Send transcript
        </button>
      </form>
    </section>
  );
}

function Webhooks({ view }: { view: SimulatorView }) {
  if (view.externalWebhookUrl) {
    return (
      <p class="hint">
        Our webhooks go to <code>{view.externalWebhookUrl}</code> (CCAAS_WEBHOOK_URL): see them there. Without
        it, they come here.
      </p>
    );
  }
  return (
    <Table
      caption="Webhooks received"
      columns={['Type', 'Received', 'Call', 'Webhook ID', 'Data', 'Signature']}
    >
      {view.webhooks.map((w) => {
        const { callId, ccaasCallId: _c, ...data } = w.data ?? {};
        return (
          <tr key={`${w.webhookId} ${w.receivedAt}`}>
            <th scope="row">{w.type ?? 'unreadable'}</th>
            <td>{new Date(w.at ?? w.receivedAt).toLocaleTimeString()}</td>
            <td>
              <code>{callId ?? ''}</code>
            </td>
            <td>
              <code>{w.webhookId}</code>
              {w.repeat ? ' (repeat)' : ''}
            </td>
            <td>
              <code>{JSON.stringify(data)}</code>
            </td>
            <td>{w.verified ? 'Verified' : `Not verified: ${w.refusal}`}</td>
          </tr>
        );
      })}
    </Table>
  );
}
