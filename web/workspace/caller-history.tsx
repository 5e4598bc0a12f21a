import { useEffect, useState } from 'preact/hooks';
import type { Interaction } from '../../functions/core/model.ts';
import { when } from './format.ts';
import type { Session } from './session.ts';

/**
 * The global call screen: the caller's earlier interactions, newest first, read as the agent (who may read
 * them while the call is offered to it or live).
 */
export function CallerHistory({ session, phone }: { session: Session; phone: string }) {
  const [found, setFound] = useState<Interaction[] | Error>();
  useEffect(() => {
    let shown = true;
    session
      .get<{ interactions: Interaction[] }>(`/v1/interactions?phone=${encodeURIComponent(phone)}&limit=5`)
      .then(
        ({ interactions }) => shown && setFound(interactions),
        (err: Error) => shown && setFound(err),
      );
    return () => {
      shown = false;
    };
  }, [session, phone]);

  return (
    <section class="history" aria-label="Caller history">
      <h3>Caller history</h3>
      {found === undefined && <p>Loading…</p>}
      {found instanceof Error && <p>Not available ({found.message})</p>}
      {Array.isArray(found) && found.length === 0 && <p>No earlier interactions</p>}
      {Array.isArray(found) && found.length > 0 && (
        <ul>
          {found.map((i) => (
            <li key={i.interactionId}>
              {when(i.createdAt)}: {i.source.replace('_', ' ')}, {i.status}
              {i.disposition ? `, ${i.disposition}` : ''}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
