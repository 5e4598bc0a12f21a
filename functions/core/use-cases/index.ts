import type { Deps } from '../deps.ts';
import { observeCalls } from '../metrics.ts';
import { makeAgentMessenger } from '../steps/agent-messenger.ts';
import { makeBridgeFailed } from '../steps/bridge-failed.ts';
import { makeCloseOffer } from '../steps/close-offer.ts';
import { makeDropSockets } from '../steps/drop-sockets.ts';
import { makeEndCall } from '../steps/end-call.ts';
import { makeEnsureInteraction, makeSyncInteraction } from '../steps/ensure-interaction.ts';
import { makeReleaseHeldAgent } from '../steps/release-held-agent.ts';
import { makeRevokeAgentOffer } from '../steps/revoke-agent-offer.ts';
import { makeStartRouting } from '../steps/start-routing.ts';
import { makeHandOver, makeWakeWaitingCall } from '../steps/wake-waiting-call.ts';
import { makeAcceptOffer } from './accept-offer.ts';
import { makeAdmin } from './admin.ts';
import { makeAgentCallActions } from './agent-call-actions.ts';
import {
  makeAgentSnapshot,
  makeConnectAgent,
  makeDisconnectAgent,
  makeSetAgentStatus,
} from './agent-presence.ts';
import { makeApplyCcaasEvent } from './apply-ccaas-event.ts';
import { makeCreateInteraction, makeDeferInteraction } from './create-interaction.ts';
import { makeCreateMissedOfferWorkItem } from './create-missed-offer-work-item.ts';
import { makeOfferToAgent } from './offer-to-agent.ts';
import { makeOverflowCall } from './overflow-call.ts';
import { makeReceiveCall } from './receive-call.ts';
import { makeRecordMissedOffer } from './record-missed-offer.ts';
import { makeRejectOffer } from './reject-offer.ts';
import { makeSupervision } from './supervision.ts';
import { makeSweep } from './sweep.ts';
import { makeWaitForAgent } from './wait-for-agent.ts';

export type { Deps, Settings } from '../deps.ts';

/**
 * Wires every use case to one set of ports: the entry points the handlers call, one per thing that
 * happens to the product. The internal steps they share (steps/) are wired here once and not exposed.
 */
export function makeUseCases(ports: Deps) {
  // Every change of a call, whoever makes it, is counted in the metrics (core/metrics.ts).
  const deps: Deps = { ...ports, calls: observeCalls(ports.calls, ports.metrics) };
  const send = makeAgentMessenger(deps);
  const handOver = makeHandOver(deps);
  const wakeWaitingCall = makeWakeWaitingCall({ ...deps, handOver });
  const startRouting = makeStartRouting(deps);
  const closeOffer = makeCloseOffer({ ...deps, wakeWaitingCall });
  const acceptOffer = makeAcceptOffer({ ...deps, send, closeOffer });
  const ensureInteraction = makeEnsureInteraction({ ...deps, send });
  const revokeAgentOffer = makeRevokeAgentOffer({ ...deps, send, closeOffer });
  const dropSockets = makeDropSockets({ ...deps, revokeAgentOffer });
  const syncInteraction = makeSyncInteraction(deps);
  const releaseHeldAgent = makeReleaseHeldAgent({ ...deps, wakeWaitingCall });
  const endCall = makeEndCall({ ...deps, send, wakeWaitingCall, syncInteraction, releaseHeldAgent });
  return {
    // CCaaS callbacks
    receiveCall: makeReceiveCall({ ...deps, startRouting }),
    applyCcaasEvent: makeApplyCcaasEvent({
      ...deps,
      send,
      endCall,
      bridgeFailed: makeBridgeFailed({ ...deps, send, wakeWaitingCall, startRouting }),
    }),
    // Workflow tasks
    offerToAgent: makeOfferToAgent({
      ...deps,
      send,
      closeOffer,
      acceptOffer,
      ensureInteraction,
      handOver,
      wakeWaitingCall,
    }),
    waitForAgent: makeWaitForAgent({ ...deps, wakeWaitingCall }),
    recordMissedOffer: makeRecordMissedOffer({ ...deps, send, closeOffer }),
    createInteraction: makeCreateInteraction({ ensureInteraction }),
    deferInteraction: makeDeferInteraction({ ...deps, send }),
    overflowCall: makeOverflowCall({ ...deps, releaseHeldAgent }),
    // Event rules and the schedule
    createMissedOfferWorkItem: makeCreateMissedOfferWorkItem({ ...deps, ensureInteraction }),
    sweep: makeSweep({ ...deps, ensureInteraction, wakeWaitingCall, closeOffer, startRouting, dropSockets }),
    // Agents
    acceptOffer,
    rejectOffer: makeRejectOffer({ ...deps, closeOffer }),
    agentCall: makeAgentCallActions({
      ...deps,
      send,
      endCall,
      ensureInteraction,
      syncInteraction,
      wakeWaitingCall,
      startRouting,
    }),
    setAgentStatus: makeSetAgentStatus({ ...deps, revokeAgentOffer, wakeWaitingCall }),
    connectAgent: makeConnectAgent(deps),
    disconnectAgent: makeDisconnectAgent({ dropSockets }),
    agentSnapshot: makeAgentSnapshot(deps),
    // Staff
    admin: makeAdmin({ ...deps, wakeWaitingCall }),
    supervision: makeSupervision(deps),
  };
}

export type UseCases = ReturnType<typeof makeUseCases>;
