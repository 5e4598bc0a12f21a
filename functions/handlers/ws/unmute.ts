import { callControl } from './call-control.ts';

/** unmute: see callControl. */
export const { message, handler } = callControl('unmute');
