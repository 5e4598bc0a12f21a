import { callControl } from './call-control.ts';

/** mute: see callControl. */
export const { message, handler } = callControl('mute');
