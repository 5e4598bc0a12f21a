/**
 * The environment variables a function may read, by what they hold. The CDK app sets the ones each
 * function's access needs (lib/access.ts); the local runtime sets them for its functions (local/).
 */
export const ENV = {
  offerTimeoutSeconds: 'OFFER_TIMEOUT_SECONDS',
  maxQueueSeconds: 'MAX_QUEUE_SECONDS',
  interactionMode: 'INTERACTION_MODE',
  missedOfferStatus: 'MISSED_OFFER_STATUS',
  wrapUpSeconds: 'WRAP_UP_SECONDS',
  agentOfflineGraceSeconds: 'AGENT_OFFLINE_GRACE_SECONDS',
  retentionDays: 'RETENTION_DAYS',
  webhookFirstRetrySeconds: 'WEBHOOK_FIRST_RETRY_SECONDS',
  webhookMaxRetryDelaySeconds: 'WEBHOOK_MAX_RETRY_DELAY_SECONDS',
  webhookMaxAgeSeconds: 'WEBHOOK_MAX_AGE_SECONDS',
  stateMachineArn: 'STATE_MACHINE_ARN',
  eventBusName: 'EVENT_BUS_NAME',
  wsManagementEndpoint: 'WS_MANAGEMENT_ENDPOINT',
  /** Locally (and in tests) the secrets themselves; on AWS the stack sets webhookSecretArn instead. */
  webhookSecret: 'CCAAS_WEBHOOK_SECRET',
  webhookSecretArn: 'CCAAS_WEBHOOK_SECRET_ARN',
  /** Where the CCaaS notifier POSTs its webhooks; unset, nothing is delivered. */
  ccaasWebhookUrl: 'CCAAS_WEBHOOK_URL',
  jwksUrl: 'JWKS_URL',
  jwtIssuer: 'JWT_ISSUER',
  jwtAudience: 'JWT_AUDIENCE',
  /** The user pool whose people the sweep looks up (disabled, or out of the agents group). */
  userPoolId: 'USER_POOL_ID',
  /** The functions' service name in every log line, and the `service` dimension of their metrics. */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  /** The CloudWatch namespace of the functions' metrics. */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
} as const;

/** The service name every function logs under. */
export const SERVICE_NAME = 'call-resiliency';
/** The CloudWatch namespace of the product's metrics (core vocabulary's METRIC_UNITS). */
export const METRICS_NAMESPACE = 'CallResiliency';

/** What every function is told of itself, on AWS and locally: its logs' service, its metrics' namespace, and what its traces leave out. */
export const TELEMETRY_ENVIRONMENT = {
  [ENV.serviceName]: SERVICE_NAME,
  [ENV.metricsNamespace]: METRICS_NAMESPACE,
  // Traces never hold what the AWS calls answered: items carry callers' numbers and conversations.
  POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
};
