/**
 * Node 20 has no `Promise.withResolvers` (it arrived in Node 22), and aws-local-stepfunctions calls it for
 * every Task state it runs. Import this module before anything that runs a state machine.
 */

declare global {
  // Same shape as lib.es2024.promise.d.ts, so the declarations merge if the project ever moves to ES2024.
  interface PromiseWithResolvers<T> {
    promise: Promise<T>;
    resolve: (value: T | PromiseLike<T>) => void;
    // biome-ignore lint/suspicious/noExplicitAny: must match lib.es2024.promise.d.ts for the declarations to merge.
    reject: (reason?: any) => void;
  }

  interface PromiseConstructor {
    withResolvers<T>(): PromiseWithResolvers<T>;
  }
}

if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(): PromiseWithResolvers<T> {
      let resolve!: PromiseWithResolvers<T>['resolve'];
      let reject!: PromiseWithResolvers<T>['reject'];
      const promise = new Promise<T>((onResolve, onReject) => {
        resolve = onResolve;
        reject = onReject;
      });
      return { promise, resolve, reject };
    },
  });
}

export {};
