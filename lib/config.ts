/**
 * Routing settings of a deployment, from CDK context: `npx cdk deploy -c offerTimeoutSeconds=30
 * -c maxQueueSeconds=600 -c interactionMode=standard`. Every function gets them as environment variables.
 */
import type { Node } from 'constructs';
import type { InteractionMode } from '../functions/core/model.ts';

export interface RoutingConfig {
  offerTimeoutSeconds: number;
  maxQueueSeconds: number;
  interactionMode: InteractionMode;
}

export const DEFAULT_ROUTING_CONFIG: RoutingConfig = {
  offerTimeoutSeconds: 20,
  maxQueueSeconds: 300,
  interactionMode: 'resiliency',
};

/** Reads the settings from context, where `-c` gives strings and cdk.json numbers; invalid ones fail the synth. */
export function routingConfigFromContext(node: Node): RoutingConfig {
  const seconds = (key: 'offerTimeoutSeconds' | 'maxQueueSeconds'): number => {
    const raw: unknown = node.tryGetContext(key);
    if (raw === undefined) return DEFAULT_ROUTING_CONFIG[key];
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`context ${key} must be a whole number ≥ 1, got "${raw}"`);
    return value;
  };
  const mode: unknown = node.tryGetContext('interactionMode') ?? DEFAULT_ROUTING_CONFIG.interactionMode;
  if (mode !== 'resiliency' && mode !== 'standard') {
    throw new Error(`context interactionMode must be resiliency or standard, got "${mode}"`);
  }
  return {
    offerTimeoutSeconds: seconds('offerTimeoutSeconds'),
    maxQueueSeconds: seconds('maxQueueSeconds'),
    interactionMode: mode,
  };
}
