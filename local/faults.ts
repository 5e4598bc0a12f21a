/**
 * The fault switch of the interaction store (the CRM): set by `PUT /dev/faults` and by tests on the main
 * thread, read by the local DynamoDB in its own thread at every request (local/dynamo-worker.ts). Both
 * sides see the same memory, so a switch applies to the very next request, wherever it comes from.
 */
export interface Faults {
  /** When 'down', every request to the interactions table fails like an outage of the CRM. */
  interactionStore: 'up' | 'down';
  /** Added to every interaction-table request: a slow CRM, for demos and benchmarks. */
  interactionStoreLatencyMs: number;
}

/** The switch over `buffer` (8 bytes, shared between threads); a new one, all up, when none is given. */
export function sharedFaults(buffer = new SharedArrayBuffer(8)): {
  faults: Faults;
  buffer: SharedArrayBuffer;
} {
  const cells = new Int32Array(buffer);
  const faults = {} as Faults;
  Object.defineProperties(faults, {
    interactionStore: {
      enumerable: true,
      get: () => (Atomics.load(cells, 0) === 1 ? 'down' : 'up'),
      set: (value: Faults['interactionStore']) => Atomics.store(cells, 0, value === 'down' ? 1 : 0),
    },
    interactionStoreLatencyMs: {
      enumerable: true,
      get: () => Atomics.load(cells, 1),
      set: (value: number) => Atomics.store(cells, 1, value),
    },
  });
  return { faults, buffer };
}
