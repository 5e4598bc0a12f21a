import { expiredConnections, expirePresence, finishCall, releaseFromOffer } from '../agent.ts';
import { isTerminal, markInteractionPending, pendingOffer, reroute } from '../call.ts';
import type { Deps } from '../deps.ts';
import { InvalidTransitionError, OfferClosedError } from '../errors.ts';
import type { Agent, Call } from '../model.ts';
import type { CloseOffer } from '../steps/close-offer.ts';
import type { DropSockets } from '../steps/drop-sockets.ts';
import type { EnsureInteraction } from '../steps/ensure-interaction.ts';
import type { StartRouting } from '../steps/start-routing.ts';
import type { WakeWaitingCall } from '../steps/wake-waiting-call.ts';

/**
 * A reservation this young may simply not have its offer written yet; a call changed this recently may
 * have a writer on its way to its agent.
 */
const RESERVATION_GRACE_MS = 30_000;
/** No live workflow leaves a routed call untouched this long (its slowest step retries for seconds). */
const STUCK_AFTER_MS = 120_000;
/**
 * An answered call with no interaction attempt after this long has lost its workflow (a restart, a failed
 * execution): CreateInteraction retries for well under a minute before it defers.
 */
const ORPHANED_AFTER_MS = 60_000;
/**
 * A socket whose `$connect` is still running is recorded but not yet connected: only one that is still not
 * connected this much later has closed.
 */
const SOCKET_RECHECK_MS = 2_000;

/** Backoff between automatic retries of a pending interaction: 2, 4, 8 ... seconds, at most 5 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.max(1, attempts));
}

export interface SweepResult {
  interactionsCreated: number;
  interactionsFailed: number;
  agentsRepaired: number;
  presenceChanged: number;
  socketsDropped: number;
  /** Sockets closed because their token expired. */
  socketsExpired: number;
  /** Sockets closed because their person may no longer work as an agent (disabled, removed from `agents`). */
  socketsRevoked: number;
  callsRerouted: number;
}

/**
 * The scheduled repair pass, every minute on AWS. Each step is idempotent and safe against live traffic:
 * 1. answered calls owed their interaction get it: pending ones (a CRM outage) with backoff, and ones whose
 *    workflow died before even trying (a restart, a failed execution) after a minute, so every answered call
 *    ends up with its interaction without anyone clicking;
 * 2. sockets that closed without their `$disconnect` being heard (a restart of the gateway) are forgotten,
 *    once a second look a moment later finds them still not connected (a `$connect` under way is not yet),
 *    as their `$disconnect` would have: a pending offer of an agent left with none goes to the next agent;
 *    sockets whose token has expired are closed and forgotten the same way (the client reconnects with a
 *    fresh token), so no socket outlives its token by more than a sweep interval, and so are those of
 *    someone disabled or removed from the `agents` group (the user pool says so); then time-driven presence: wrap-ups that ran WRAP_UP_SECONDS end, agents without a socket for the grace
 *    period go offline;
 * 3. agents left behind by a crash between two writes are repaired: reserved for an offer that is no
 *    longer pending, or on a call that has ended or moved on;
 * 4. an available agent is matched with a waiting call once more (the index both sides read lags on AWS);
 * 5. a call whose workflow is gone (routed but untouched for minutes) is routed again in a new round.
 */
export function makeSweep(
  deps: Pick<
    Deps,
    'calls' | 'agents' | 'pusher' | 'clock' | 'settings' | 'logger' | 'metrics' | 'directory'
  > & {
    ensureInteraction: EnsureInteraction;
    wakeWaitingCall: WakeWaitingCall;
    closeOffer: CloseOffer;
    startRouting: StartRouting;
    dropSockets: DropSockets;
  },
) {
  const {
    calls,
    agents,
    pusher,
    clock,
    settings,
    logger,
    metrics,
    directory,
    ensureInteraction,
    wakeWaitingCall,
    closeOffer,
    startRouting,
    dropSockets,
  } = deps;
  const age = (since: string) => clock.now().getTime() - Date.parse(since);

  /** Whether the sweep should try now: not while the workflow may still be at it, then with backoff. */
  function dueForInteraction(call: Call): boolean {
    if (call.interaction.status === 'none')
      return age(call.connectedAt ?? call.updatedAt) >= ORPHANED_AFTER_MS;
    if (call.interaction.status !== 'pending') return false;
    return (
      call.interaction.attempts <= 1 ||
      age(call.updatedAt) >= retryDelaySeconds(call.interaction.attempts) * 1000
    );
  }

  async function retryInteractions(result: SweepResult): Promise<void> {
    const owed = await calls.listInteractionPending(50);
    metrics.record('InteractionsPending', owed.length);
    const oldest = owed.map((c) => age(c.connectedAt ?? c.updatedAt)).reduce((a, b) => Math.max(a, b), 0);
    metrics.record('OldestPendingInteractionAge', Math.round(oldest / 1000));
    for (const call of owed) {
      if (!dueForInteraction(call)) continue;
      try {
        await ensureInteraction(call.callId, 'retry');
        result.interactionsCreated++;
      } catch (err) {
        result.interactionsFailed++;
        await calls.update(call.callId, (c) => markInteractionPending(c, String(err), clock.now()));
      }
    }
  }

  async function repairAgent(agent: Agent, result: SweepResult): Promise<Agent> {
    if (agent.status === 'reserved' && agent.offer && age(agent.statusSince) >= RESERVATION_GRACE_MS) {
      const { callId, offerId } = agent.offer;
      // The offer as this agent holds it: an offer of that id made to another agent is not its own (agents
      // handed to the same woken call at once hold the same next offer id until the loser is released).
      const found = (await calls.get(callId))?.offers.find((o) => o.offerId === offerId);
      const offer = found?.agentId === agent.agentId ? found : undefined;
      if (offer?.status !== 'pending') {
        const outcome = offer?.status ?? 'revoked';
        // On condition of the agent as checked: an offer opened since (a held agent's) wins, and is kept.
        const released = await agents.tryUpdate(agent, (a) =>
          releaseFromOffer(a, offerId, outcome, clock.now(), settings, 'repair'),
        );
        if (released?.changed) result.agentsRepaired++;
        if (released) agent = released.after;
      }
    }
    if (agent.status === 'on_call' && agent.callId) {
      const callId = agent.callId;
      const call = await calls.get(callId);
      // A call changed a moment ago may have a writer on its way to the agent (a failed bridge frees it).
      const settled = !call || age(call.updatedAt) >= RESERVATION_GRACE_MS;
      if (settled && (!call || isTerminal(call.status) || call.agentId !== agent.agentId)) {
        const { after, changed } = await agents.update(agent.agentId, (a) =>
          finishCall(a, callId, clock.now()),
        );
        if (changed) {
          result.agentsRepaired++;
          logger.warn('moved an agent off a call that had ended', { agentId: agent.agentId, callId });
        }
        agent = after;
      }
    }
    return agent;
  }

  async function rerouteStuckCalls(result: SweepResult): Promise<void> {
    for (const call of await calls.listRouting('offering', 50)) {
      const offer = pendingOffer(call);
      if (!offer || age(offer.expiresAt) < STUCK_AFTER_MS) continue;
      try {
        await closeOffer(call.callId, offer.offerId, 'revoked', 'repair');
      } catch (err) {
        if (!(err instanceof OfferClosedError)) throw err;
      }
    }
    for (const call of await calls.listRouting('queued', 50)) {
      if (age(call.updatedAt) < STUCK_AFTER_MS) continue;
      try {
        const { after } = await calls.update(call.callId, (c) =>
          age(c.updatedAt) < STUCK_AFTER_MS ? c : reroute(c, clock.now()),
        );
        if (after.route === call.route) continue;
        await startRouting(after);
        result.callsRerouted++;
        logger.warn('routed a stuck call again', { callId: call.callId, route: after.route });
      } catch (err) {
        if (!(err instanceof InvalidTransitionError)) throw err;
      }
    }
  }

  /** The recorded sockets of each agent that are not connected, now and a moment later. */
  async function closedSockets(list: readonly Agent[]): Promise<Map<string, string[]>> {
    const notConnected = async (candidates: readonly [string, string][]) => {
      const connected = await Promise.all(candidates.map(([, id]) => pusher.isConnected(id)));
      return candidates.filter((_, i) => !connected[i]);
    };
    let candidates: [string, string][] = [];
    for (const agent of list) {
      candidates.push(
        ...(await notConnected(agent.connections.map((id) => [agent.agentId, id] as [string, string]))),
      );
    }
    if (candidates.length > 0) {
      await clock.sleep(SOCKET_RECHECK_MS);
      candidates = await notConnected(candidates);
    }
    const closed = new Map<string, string[]>();
    for (const [agentId, id] of candidates) closed.set(agentId, [...(closed.get(agentId) ?? []), id]);
    return closed;
  }

  /**
   * Who may still work as an agent, asked once a sweep, and only when someone has a socket; undefined when
   * the user pool cannot say: an outage of it closes nothing.
   */
  async function stillAgents(listed: readonly Agent[]): Promise<ReadonlySet<string> | undefined> {
    if (!listed.some((a) => a.connections.length > 0)) return undefined;
    try {
      return await directory.agents();
    } catch (err) {
      logger.warn('could not ask the user pool who may work as an agent', { error: String(err) });
      return undefined;
    }
  }

  return async function sweep(): Promise<SweepResult> {
    const result: SweepResult = {
      interactionsCreated: 0,
      interactionsFailed: 0,
      agentsRepaired: 0,
      presenceChanged: 0,
      socketsDropped: 0,
      socketsExpired: 0,
      socketsRevoked: 0,
      callsRerouted: 0,
    };
    await retryInteractions(result);
    const listedAgents = await agents.list();
    const closed = await closedSockets(listedAgents);
    const stillAgent = await stillAgents(listedAgents);
    for (const listed of listedAgents) {
      const gone = closed.get(listed.agentId) ?? [];
      const open = listed.connections.filter((id) => !gone.includes(id));
      // Someone disabled or taken out of `agents` keeps no socket, whatever its token still says.
      const revoked = stillAgent && !stillAgent.has(listed.agentId) ? open : [];
      const expired = expiredConnections(listed, clock.now()).filter(
        (id) => !gone.includes(id) && !revoked.includes(id),
      );
      for (const id of [...revoked, ...expired]) await pusher.close(id);
      if (gone.length + revoked.length + expired.length > 0) {
        await dropSockets(listed.agentId, [...gone, ...revoked, ...expired]);
        result.socketsDropped += gone.length;
        result.socketsRevoked += revoked.length;
        result.socketsExpired += expired.length;
        if (revoked.length > 0)
          logger.info('closed the sockets of someone no longer an agent', { agentId: listed.agentId });
        if (expired.length > 0)
          logger.info('closed sockets whose token expired', { agentId: listed.agentId });
      }
      const presence = await agents.update(listed.agentId, (a) => expirePresence(a, clock.now(), settings));
      if (presence.changed) result.presenceChanged++;
      const agent = await repairAgent(presence.after, result);
      if (agent.status === 'available' && !agent.offer && agent.connections.length > 0)
        await wakeWaitingCall(agent);
    }
    await rerouteStuckCalls(result);
    // Repairs, not routine: timed presence and expired tokens are the sweep's everyday work.
    const { interactionsCreated, agentsRepaired, socketsDropped, callsRerouted } = result;
    metrics.record('SweeperRepairs', interactionsCreated + agentsRepaired + socketsDropped + callsRerouted);
    return result;
  };
}
