import { useState } from 'preact/hooks';
import type { SimulatorView } from '../../local/ccaas-view.ts';
import { usePoll } from '../shared/use-poll.ts';

/**
 * How often the page asks for the simulated CCaaS's view. Polling rather than server-sent events: the view is
 * small and local, one GET a second shows a webhook within a second, and nothing holds a connection open that
 * the runtime would have to end when it stops (the supervisor view polls the same way).
 */
export const POLL_MS = 1000;

/** The answer of one of our routes, as the page shows it. */
export interface Outcome {
  ok: boolean;
  text: string;
}

/** Our error body: `{error: {code, message, details?}}`. */
interface ErrorBody {
  code: string;
  message: string;
  details?: { path: string; message: string }[];
}

const refusal = (status: number, { error }: { error?: ErrorBody }) =>
  [
    `Refused (${status} ${error?.code}): ${error?.message}`,
    ...(error?.details ?? []).map((d) => `${d.path}: ${d.message}`),
  ].join('; ');

const loadView = async (): Promise<SimulatorView> => {
  const res = await fetch('/dev/ccaas');
  if (!res.ok) throw new Error(`/dev/ccaas: ${res.status}`);
  return (await res.json()) as SimulatorView;
};

/**
 * The simulated CCaaS as the runtime last showed it, and `post`, which sends a callback through it (a new
 * call, a call event): our API's answer, or its refusal, is the page's last outcome.
 */
export function useSimulator() {
  const { value: view, problem } = usePoll(loadView, POLL_MS);
  const [outcome, setOutcome] = useState<Outcome>();
  const post = async (
    path: string,
    body: unknown,
    describe: (answer: Record<string, unknown>) => string,
  ): Promise<boolean> => {
    try {
      const res = await fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const answer = (await res.json()) as Record<string, unknown> & { error?: ErrorBody };
      setOutcome(
        res.ok ? { ok: true, text: describe(answer) } : { ok: false, text: refusal(res.status, answer) },
      );
      return res.ok;
    } catch (err) {
      setOutcome({ ok: false, text: `Not sent: ${(err as Error).message}` });
      return false;
    }
  };
  return { view, problem, outcome, post };
}
