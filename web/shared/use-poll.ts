import { useEffect, useState } from 'preact/hooks';

/**
 * What `load` last answered, asked for now and every `intervalMs` while shown (one request at a time), and
 * what went wrong with the latest ask, if anything (the last answer stays). `load` must keep its identity
 * between renders (`useCallback`): a new one starts over.
 */
export function usePoll<T>(load: () => Promise<T>, intervalMs: number): { value?: T; problem?: string } {
  const [state, setState] = useState<{ value?: T; problem?: string }>({});
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const value = await load();
        if (!stopped) setState({ value });
      } catch (err) {
        if (!stopped) setState((s) => ({ ...s, problem: (err as Error).message }));
      }
      if (!stopped) timer = setTimeout(poll, intervalMs);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [load, intervalMs]);
  return state;
}
