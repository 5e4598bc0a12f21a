import { callControlHandler } from './call-control.ts';

/** resume: works without an interaction; the CCaaS is asked to do it (call.control) and every tab sees callState. */
export const handler = callControlHandler('resume');
