import { useEffect, useRef } from 'preact/hooks';
import { CallerHistory } from './caller-history.tsx';
import type { Session } from './session.ts';
import { useNow } from './use-now.ts';
import type { Act, OfferView } from './use-workspace.ts';

interface Props {
  offer: OfferView;
  session: Session;
  act: Act;
}

/** The offer: who calls, from which queue, the time left to answer; Accept has the focus as it comes. */
export function OfferCard({ offer, session, act }: Props) {
  const now = useNow(250);
  const accept = useRef<HTMLButtonElement>(null);
  useEffect(() => accept.current?.focus(), [offer.offerId]);
  const secondsLeft = Math.max(0, Math.ceil((Date.parse(offer.expiresAt) - now) / 1000));
  return (
    <section class="card offer" aria-labelledby="offer-heading">
      <h2 id="offer-heading">Incoming call</h2>
      <dl>
        <dt>Caller</dt>
        <dd>{offer.from}</dd>
        <dt>Queue</dt>
        <dd>{offer.queue}</dd>
        <dt>Time left</dt>
        <dd>
          <span class="countdown">{secondsLeft} s</span>
        </dd>
      </dl>
      <div class="actions">
        <button
          type="button"
          class="primary"
          ref={accept}
          onClick={() => act((c) => c.accept({ offerId: offer.offerId }))}
        >
          Accept
        </button>
        <button type="button" onClick={() => act((c) => c.reject({ offerId: offer.offerId }))}>
          Reject
        </button>
      </div>
      <CallerHistory session={session} phone={offer.from} />
    </section>
  );
}
