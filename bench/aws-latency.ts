/**
 * The AWS latency profile: what each AWS request and invocation adds on AWS that the local runtime does
 * not, in milliseconds, given to `startLocalStack({ awsLatencyMs })` for the bench's "AWS profile" row.
 * The source of each figure, and how to replace it with measured ones, is in docs/routing.md
 * ("Benchmark and AWS latency profile").
 */
export const AWS_LATENCY_MS = {
  /** Any DynamoDB item request, in region. */
  dynamodb: 5,
  /** StartExecution. */
  startExecution: 40,
  /** SendTaskSuccess / SendTaskFailure and the other Step Functions API calls. */
  stepFunctions: 25,
  /** PutEvents. */
  eventBridge: 20,
  /** An `@connections` POST (or GET, DELETE) by a function. */
  connections: 20,
  /** Any SQS request. */
  sqs: 10,
  /** API Gateway (HTTP or WebSocket) handing a request to a warm function. */
  gatewayInvoke: 10,
  /** Step Functions scheduling a Task state's invocation of a warm function. */
  workflowInvoke: 30,
  /** EventBridge or an SQS poller invoking a warm function. */
  asyncInvoke: 20,
} as const;

/** The profile as `startLocalStack`'s `awsLatencyMs`: by IAM prefix and operation, `lambda` by trigger type. */
export function awsLatencyMs(service: string, operation: string): number {
  const ms = AWS_LATENCY_MS;
  switch (service) {
    case 'dynamodb':
      return ms.dynamodb;
    case 'states':
      return operation === 'StartExecution' ? ms.startExecution : ms.stepFunctions;
    case 'events':
      return ms.eventBridge;
    case 'execute-api':
      return ms.connections;
    case 'sqs':
      return ms.sqs;
    case 'lambda':
      if (operation === 'workflow') return ms.workflowInvoke;
      return operation === 'http' || operation === 'websocket' || operation === 'authorizer'
        ? ms.gatewayInvoke
        : ms.asyncInvoke;
    default:
      return 0;
  }
}
