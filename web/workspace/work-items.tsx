import { useEffect, useState } from 'preact/hooks';
import type { WorkItem } from '../../functions/core/model.ts';
import { when } from './format.ts';
import type { Session } from './session.ts';
import type { OfferView } from './use-workspace.ts';

/** How long the page asks again for a missed offer's work item before it gives up until the next change. */
const WAIT_FOR_ITEM = { attempts: 15, intervalMs: 1000 };

/**
 * The agent's open work items (missed offers to follow up, callbacks), read with its own token at sign-in
 * and after each missed offer: the bus's handler files that one a moment after the miss, so the page asks
 * again every second until it is there.
 */
export function WorkItems({ session, missed }: { session: Session; missed?: OfferView }) {
  const [items, setItems] = useState<WorkItem[]>();
  useEffect(() => {
    let shown = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async (attempt: number) => {
      const list = await session.get<{ workItems: WorkItem[] }>('/v1/work-items?status=open&limit=1000').then(
        ({ workItems }) => workItems,
        () => undefined,
      );
      if (!shown) return;
      if (list) setItems(list);
      const filed = list?.some((w) => w.offerId === missed?.offerId);
      if (missed && !filed && attempt < WAIT_FOR_ITEM.attempts) {
        timer = setTimeout(() => load(attempt + 1), WAIT_FOR_ITEM.intervalMs);
      }
    };
    void load(1);
    return () => {
      shown = false;
      clearTimeout(timer);
    };
  }, [session, missed]);

  return (
    <>
      {missed && (
        <p class="missed">
          Missed a call from {missed.from} ({missed.queue}): it is on record as a work item.
        </p>
      )}
      {items && items.length > 0 && (
        <section class="card" aria-labelledby="work-items-heading">
          <h2 id="work-items-heading">Work items</h2>
          <ul>
            {items.map((w) => (
              <li key={w.workItemId}>
                {w.type === 'missed_offer' ? 'Missed call' : 'Call back'} from {w.phone} ({w.queue}),{' '}
                {when(w.createdAt)}
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
