// The entry of the local Lambda service's worker thread: Node 20 runs no TypeScript by itself, so this one
// plain module registers tsx and then loads the worker proper (lambda-worker.ts).
import { register } from 'tsx/esm/api';

register();
await import('./lambda-worker.ts');
