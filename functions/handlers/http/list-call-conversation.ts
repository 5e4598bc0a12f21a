import { callEntriesHandler } from '../shared/call-entries.ts';

/** GET /v1/calls/{callId}/conversation — the call's notes and transcript segments, a page at a time. */
export const handler = callEntriesHandler('conversation');
