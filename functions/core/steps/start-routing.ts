import type { Deps } from '../deps.ts';
import type { Call } from '../model.ts';

export type StartRouting = ReturnType<typeof makeStartRouting>;

/**
 * Starts the workflow that routes the call in its current routing round. The execution is named after
 * the call and the round, so starting it again (a retried callback, a repair) is a no-op.
 */
export function makeStartRouting({ starter, settings }: Pick<Deps, 'starter' | 'settings'>) {
  return (call: Pick<Call, 'callId' | 'route'>) =>
    starter.start({
      callId: call.callId,
      route: call.route,
      offerTimeoutSeconds: settings.offerTimeoutSeconds,
      maxQueueSeconds: settings.maxQueueSeconds,
    });
}
