import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DomainEvent } from '../core/events.ts';
import type { EventPublisher } from '../core/ports.ts';
import { EVENT_SOURCE } from '../manifest/event-rules.ts';

const BATCH = 10;

/** Publishes domain events to the product's EventBridge bus; a rejected entry is an error. */
export function makeEventPublisher(client: EventBridgeClient, busName: () => string): EventPublisher {
  return {
    async publish(events: readonly DomainEvent[]) {
      for (let i = 0; i < events.length; i += BATCH) {
        const batch = events.slice(i, i + BATCH);
        const out = await client.send(
          new PutEventsCommand({
            Entries: batch.map((e) => ({
              EventBusName: busName(),
              Source: EVENT_SOURCE,
              DetailType: e.type,
              Time: new Date(e.at),
              Detail: JSON.stringify({ id: e.id, at: e.at, callId: e.callId, ...e.detail }),
            })),
          }),
        );
        if (out.FailedEntryCount) {
          const failed = (out.Entries ?? [])
            .filter((e) => e.ErrorCode)
            .map((e) => `${e.ErrorCode}: ${e.ErrorMessage}`);
          throw new Error(`event bus rejected ${out.FailedEntryCount} event(s): ${failed.join('; ')}`);
        }
      }
    },
  };
}
