import { callControl } from './call-control.ts';

/** hold: see callControl. */
export const { message, handler } = callControl('hold');
