import { callControlHandler } from './call-control.ts';

/** mute: works without an interaction; the CCaaS is asked to do it (call.control) and every tab sees callState. */
export const handler = callControlHandler('mute');
