import { makeAcceptOffer } from './accept-offer.ts';
import { makeAdmin } from './admin.ts';
import { makeAgentCallActions } from './agent-call-actions.ts';
import { makeAgentMessenger } from './agent-messenger.ts';
import {
  makeAgentSnapshot,
  makeConnectAgent,
  makeDisconnectAgent,
  makeSetAgentStatus,
} from './agent-presence.ts';
import { makeApplyCcaasEvent } from './apply-ccaas-event.ts';
import { makeBridgeFailed } from './bridge-failed.ts';
import { makeCloseOffer } from './close-offer.ts';
import { makeDeferInteraction, makeEnsureInteraction, makeSyncInteraction } from './create-interaction.ts';
import type { Deps } from './deps.ts';
import { makeEndCall } from './end-call.ts';
import { makeMarkOfferMissed } from './mark-offer-missed.ts';
import { makeOfferToAgent } from './offer-to-agent.ts';
import { makeOverflowCall } from './overflow-call.ts';
import { makeReceiveCall } from './receive-call.ts';
import { makeRecordMissedOffer } from './record-missed-offer.ts';
import { makeRejectOffer } from './reject-offer.ts';
import { makeRevokeAgentOffer } from './revoke-offer.ts';
import { makeStartRouting } from './start-routing.ts';
import { makeSweep } from './sweep.ts';
import { makeWaitForAgent, makeWakeWaitingCall } from './wait-for-agent.ts';

export type { Deps, Settings } from './deps.ts';

/** Wires every use case to one set of ports. Handlers call this once per cold start. */
export function makeUseCases(deps: Deps) {
  const send = makeAgentMessenger(deps);
  const wakeWaitingCall = makeWakeWaitingCall(deps);
  const closeOffer = makeCloseOffer({ ...deps, wakeWaitingCall });
  const acceptOffer = makeAcceptOffer({ ...deps, send, closeOffer });
  const ensureInteraction = makeEnsureInteraction({ ...deps, send });
  const revokeAgentOffer = makeRevokeAgentOffer({ ...deps, send, closeOffer });
  const syncInteraction = makeSyncInteraction(deps);
  const endCall = makeEndCall({ ...deps, send, wakeWaitingCall, syncInteraction });
  return {
    receiveCall: makeReceiveCall(deps),
    offerToAgent: makeOfferToAgent({ ...deps, send, closeOffer, acceptOffer, ensureInteraction }),
    waitForAgent: makeWaitForAgent(deps),
    markOfferMissed: makeMarkOfferMissed({ ...deps, send, closeOffer }),
    acceptOffer,
    rejectOffer: makeRejectOffer({ ...deps, closeOffer }),
    ensureInteraction,
    deferInteraction: makeDeferInteraction({ ...deps, send }),
    overflowCall: makeOverflowCall(deps),
    recordMissedOffer: makeRecordMissedOffer({ ...deps, ensureInteraction }),
    endCall,
    applyCcaasEvent: makeApplyCcaasEvent({
      ...deps,
      send,
      endCall,
      syncInteraction,
      bridgeFailed: makeBridgeFailed({ ...deps, send, wakeWaitingCall }),
    }),
    agentCall: makeAgentCallActions({
      ...deps,
      send,
      endCall,
      ensureInteraction,
      syncInteraction,
      wakeWaitingCall,
    }),
    setAgentStatus: makeSetAgentStatus({ ...deps, revokeAgentOffer, wakeWaitingCall }),
    connectAgent: makeConnectAgent(deps),
    disconnectAgent: makeDisconnectAgent({ ...deps, revokeAgentOffer }),
    agentSnapshot: makeAgentSnapshot(deps),
    sweep: makeSweep({
      ...deps,
      ensureInteraction,
      wakeWaitingCall,
      closeOffer,
      startRouting: makeStartRouting(deps),
    }),
    admin: makeAdmin(deps),
    send,
  };
}

export type UseCases = ReturnType<typeof makeUseCases>;
