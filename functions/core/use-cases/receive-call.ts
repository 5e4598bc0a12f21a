import { type NewCallInput, newCall } from '../call.ts';
import type { Deps } from '../deps.ts';
import type { CallStatus } from '../model.ts';
import type { StartRouting } from '../steps/start-routing.ts';

/**
 * A new inbound call from the CCaaS.
 * Main course: store the call (keyed by a hash of the CCaaS call id) and start its routing workflow
 * (execution name = call id). Repeats: the same CCaaS call id finds the stored call, and starting the
 * workflow again is a no-op, so a retried or duplicated callback never makes a second call. Starting the
 * workflow every time (not only on the first put) also heals a first attempt that crashed in between.
 */
export function makeReceiveCall(
  deps: Pick<Deps, 'calls' | 'clock' | 'settings'> & { startRouting: StartRouting },
) {
  const { calls, clock, settings, startRouting } = deps;
  return async function receiveCall(
    input: NewCallInput,
  ): Promise<{ callId: string; status: CallStatus; created: boolean }> {
    const { stored: call, created } = await calls.create(
      newCall(input, settings.interactionMode, clock.now()),
    );
    await startRouting(call);
    return { callId: call.callId, status: call.status, created };
  };
}
