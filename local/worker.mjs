// The entry of the local runtime's worker threads (the functions' execution environment, DynamoDB): Node 20
// runs no TypeScript by itself, so this one plain module registers tsx and then loads the worker proper,
// the module its `workerData.module` names.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
