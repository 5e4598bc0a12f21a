import { useCallback } from 'preact/hooks';
import type { SupervisorStats } from '../../functions/core/use-cases/supervision.ts';
import { usePoll } from '../shared/use-poll.ts';
import type { Session } from '../workspace/session.ts';

/** How often the view asks for `GET /v1/stats`. */
export const POLL_MS = 2000;

/**
 * The supervisor view as the server last gave it, asked for now and every `POLL_MS` while shown (one
 * request at a time), and what went wrong with the latest ask, if anything (the last view stays).
 */
export function useStats(session: Session): { stats?: SupervisorStats; problem?: string } {
  const load = useCallback(() => session.get<SupervisorStats>('/v1/stats'), [session]);
  const { value, problem } = usePoll(load, POLL_MS);
  return { stats: value, problem };
}
