/**
 * The manifest: what the CDK app (lib/) and the local runtime (local/) know of the functions — the
 * catalog of functions with their triggers and grants, how each is bundled, the tables, the event rules,
 * the environment and its settings, and the contract words a runtime tool needs. They import it, and
 * nothing else of functions/; the handler files themselves they only load by path (catalog `handlerFile`).
 */

export {
  CCAAS_EVENT_TYPES,
  type CcaasEventType,
  METRIC_UNITS,
  type MetricName,
  STAFF_GROUPS,
  type StaffGroup,
} from '../core/vocabulary.ts';
export * from './access.ts';
export * from './bundling.ts';
export * from './catalog.ts';
export * from './environment.ts';
export * from './event-rules.ts';
export * from './queues.ts';
export * from './settings.ts';
export * from './tables.ts';
