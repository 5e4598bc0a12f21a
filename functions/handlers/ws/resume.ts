import { callControl } from './call-control.ts';

/** resume: see callControl. */
export const { message, handler } = callControl('resume');
