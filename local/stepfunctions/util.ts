export type JsonObject = Record<string, unknown>;

/** A state machine ARN and its parts, which the execution ARNs and `$$.StateMachine` are built from. */
export type StateMachineArn = ReturnType<typeof parseStateMachineArn>;

export function parseStateMachineArn(stateMachineArn: string) {
  const [prefix, partition, service, region, account, resource, name, ...rest] = stateMachineArn.split(':');
  if (
    prefix !== 'arn' ||
    !partition ||
    service !== 'states' ||
    !region ||
    !account ||
    resource !== 'stateMachine' ||
    !name ||
    rest.length > 0
  ) {
    throw new Error(`Not a state machine ARN: ${stateMachineArn}`);
  }
  return { arn: stateMachineArn, partition, region, account, name };
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

export function ignore() {}
