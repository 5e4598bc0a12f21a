import { describe, expect, it } from 'vitest';
import { createLocalEventBus } from '../../local/event-bus.ts';

describe('the local event bus over a long run', () => {
  it('keeps the most recent events it published, not every one', async () => {
    const bus = createLocalEventBus({ busName: 'b', targets: [] });
    for (let i = 0; i < 12_000; i++) {
      await bus.handle('PutEvents', {
        Entries: [
          { EventBusName: 'b', Source: 's', DetailType: 'call.ended', Detail: JSON.stringify({ i }) },
        ],
      });
    }

    expect(bus.published.length).toBeGreaterThanOrEqual(5_000);
    expect(bus.published.length).toBeLessThan(10_000);
    expect(bus.published.at(-1)?.detail).toEqual({ i: 11_999 });
    await bus.close();
  });
});
