import { callEntriesHandler } from '../shared/call-entries.ts';

/** GET /v1/calls/{callId}/timeline — every event of the call with its time, a page at a time. */
export const handler = callEntriesHandler('timeline');
