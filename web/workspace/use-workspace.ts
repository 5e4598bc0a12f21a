import { useEffect, useMemo, useState } from 'preact/hooks';
import {
  type AgentClient,
  AgentClientError,
  type AgentClientEvents,
  type ConnectionState,
  createAgentClient,
} from '../../client/agent-client.ts';
import type { Session } from './session.ts';

type Snapshot = AgentClientEvents['snapshot'];
/** A message's fields, without the envelope. */
type Fields<T> = Omit<T, 'type' | 'requestId'>;
export type AgentView = Snapshot['agent'];
export type OfferView = Fields<AgentClientEvents['offer']>;
export type CallView = Snapshot['calls'][number];

/** Runs an action of the agent client; resolves with its answer, or nothing when it was refused. */
export type Act = <T>(action: (client: AgentClient) => Promise<T>) => Promise<T | undefined>;

/** What the page shows, as the socket tells it: the snapshot, then the pushes after it. */
export interface WorkspaceState {
  connection: ConnectionState;
  /** Whether a socket has been open since sign-in: any connecting after that is a reconnect. */
  connectedOnce: boolean;
  agent?: AgentView;
  offer?: OfferView;
  call?: CallView;
  /** Why the call's interaction is not created yet, when the server said. */
  interactionPending?: string;
  /** The last offer that timed out unanswered (a missed offer), since sign-in. */
  missed?: OfferView;
  /** The last refusal, shown until the next action. */
  problem?: string;
}

const fields = <T extends { type: string; requestId?: string }>({ type: _t, requestId: _r, ...rest }: T) =>
  rest;

/**
 * The agent's live state and its actions. Every push is applied as it comes; after an action that moves
 * the agent (accept, hang up, wrap up...) and after a call or offer changes, a `sync` fetches the agent's
 * status again, since the server pushes calls and offers, not statuses.
 */
export function useWorkspace(session: Session) {
  const [state, setState] = useState<WorkspaceState>({
    connection: { state: 'connecting', attempt: 1 },
    connectedOnce: false,
  });
  const client = useMemo(
    () => createAgentClient({ url: session.socketUrl, token: () => session.token() }),
    [session],
  );

  useEffect(() => {
    const update = (change: (s: WorkspaceState) => Partial<WorkspaceState>) =>
      setState((s) => ({ ...s, ...change(s) }));
    const resync = () => void client.sync().catch(() => {}); // a lost socket syncs again once back
    const sameCall = (s: WorkspaceState, callId: string) => !s.call || s.call.callId === callId;
    const stops = [
      client.on('connection', (connection) =>
        update((s) => ({ connection, connectedOnce: s.connectedOnce || connection.state === 'open' })),
      ),
      client.on('snapshot', ({ agent, offer, calls }) =>
        update((s) => {
          const call = calls[0];
          return {
            agent,
            offer,
            call,
            interactionPending: call?.callId === s.call?.callId ? s.interactionPending : undefined,
          };
        }),
      ),
      client.on('offer', (offer) => update(() => ({ offer: fields(offer) }))),
      client.on('offerRevoked', ({ offerId, reason }) => {
        update((s) =>
          s.offer?.offerId === offerId
            ? { offer: undefined, ...(reason === 'timeout' ? { missed: s.offer } : {}) }
            : {},
        );
        resync();
      }),
      client.on('callState', (call) => {
        update((s) => (sameCall(s, call.callId) ? { call: fields(call) } : {}));
        resync();
      }),
      client.on('interactionCreated', ({ callId, interactionId }) =>
        update((s) =>
          s.call?.callId === callId
            ? { call: { ...s.call, interactionId }, interactionPending: undefined }
            : {},
        ),
      ),
      client.on('interactionPending', ({ callId, reason }) =>
        update((s) => (s.call?.callId === callId ? { interactionPending: reason } : {})),
      ),
      client.on('error', (error) => update(() => ({ problem: error.message }))),
    ];
    return () => {
      for (const stop of stops) stop();
      void client.close();
    };
  }, [client]);

  /** Runs an action; a refusal is shown, and the agent's state is fetched again after it either way. */
  const act: Act = async (action) => {
    setState((s) => ({ ...s, problem: undefined }));
    try {
      return await action(client);
    } catch (err) {
      const problem = err instanceof AgentClientError ? `${err.message} (${err.code})` : String(err);
      setState((s) => ({ ...s, problem }));
      return undefined;
    } finally {
      void client.sync().catch(() => {});
    }
  };

  return { state, act };
}
