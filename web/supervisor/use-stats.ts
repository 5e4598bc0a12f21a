import { useEffect, useState } from 'preact/hooks';
import type { SupervisorStats } from '../../functions/core/use-cases/supervision.ts';
import type { Session } from '../workspace/session.ts';

/** How often the view asks for `GET /v1/stats`. */
export const POLL_MS = 2000;

/**
 * The supervisor view as the server last gave it, asked for now and every `POLL_MS` while shown (one
 * request at a time), and what went wrong with the latest ask, if anything (the last view stays).
 */
export function useStats(session: Session): { stats?: SupervisorStats; problem?: string } {
  const [state, setState] = useState<{ stats?: SupervisorStats; problem?: string }>({});
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const stats = await session.get<SupervisorStats>('/v1/stats');
        if (!stopped) setState({ stats });
      } catch (err) {
        if (!stopped) setState((s) => ({ ...s, problem: (err as Error).message }));
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    };
    void session.token().then(poll, (err: Error) => setState({ problem: err.message }));
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [session]);
  return state;
}
