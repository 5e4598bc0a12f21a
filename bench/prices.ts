/**
 * AWS's published on-demand prices the bench prices a call with: us-east-1, list prices without free tiers
 * or savings plans, as read on the date below from the page given for each. A price changes: read the page
 * again and update the date.
 */
export const PRICES_REGION = 'us-east-1';
export const PRICES_DATE = '2026-12-02';

export interface Price {
  /** Dollars per `per` units. */
  usd: number;
  per: number;
  unit: string;
  source: string;
}

export const PRICES = {
  /** On-demand: a write request unit per 1 KB of item written (larger of before and after). */
  dynamoDbWrite: {
    usd: 0.625,
    per: 1e6,
    unit: 'write request units',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  },
  /** On-demand: a read request unit per 4 KB read strongly consistent, half of one eventually consistent. */
  dynamoDbRead: {
    usd: 0.125,
    per: 1e6,
    unit: 'read request units',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  },
  /** Standard workflows: each state entered, retries included; the API calls themselves are not billed. */
  stepFunctions: {
    usd: 0.025,
    per: 1e3,
    unit: 'state transitions',
    source: 'https://aws.amazon.com/step-functions/pricing/',
  },
  lambdaRequests: {
    usd: 0.2,
    per: 1e6,
    unit: 'requests',
    source: 'https://aws.amazon.com/lambda/pricing/',
  },
  /** Arm (the functions' architecture, lib/handler-function.ts), first 7.5 billion GB-seconds a month. */
  lambdaDuration: {
    usd: 0.0000133334,
    per: 1,
    unit: 'GB-seconds (Arm)',
    source: 'https://aws.amazon.com/lambda/pricing/',
  },
  /** Custom events published, each 64 KB chunk of an entry one event; deliveries to targets are free. */
  eventBridge: {
    usd: 1,
    per: 1e6,
    unit: 'custom events',
    source: 'https://aws.amazon.com/eventbridge/pricing/',
  },
  /** HTTP APIs, first 300 million a month, each 512 KB one request: the CCaaS's callbacks. */
  httpApi: {
    usd: 1,
    per: 1e6,
    unit: 'HTTP API requests',
    source: 'https://aws.amazon.com/api-gateway/pricing/',
  },
  /**
   * WebSocket APIs, first billion a month, each 32 KB one message, both ways: the agents' actions and the
   * `@connections` posts. Connection minutes ($0.25 per million) are excluded: they are paid per agent
   * signed in, not per call (an agent connected 8 hours a day for 22 days is about $0.003 a month).
   */
  webSocketMessages: {
    usd: 1,
    per: 1e6,
    unit: 'WebSocket messages',
    source: 'https://aws.amazon.com/api-gateway/pricing/',
  },
  /** Standard queues, after the first million a month, each 64 KB one request. */
  sqs: {
    usd: 0.4,
    per: 1e6,
    unit: 'SQS requests',
    source: 'https://aws.amazon.com/sqs/pricing/',
  },
  /** The webhook secret, when a function reads it from Secrets Manager (not locally: it is inline). */
  secretsManager: {
    usd: 0.05,
    per: 1e4,
    unit: 'Secrets Manager API calls',
    source: 'https://aws.amazon.com/secrets-manager/pricing/',
  },
} as const satisfies Record<string, Price>;

export type PriceKey = keyof typeof PRICES;

/** Dollars for `units` of a price. */
export function cost(key: PriceKey, units: number): number {
  const price: Price = PRICES[key];
  return (units / price.per) * price.usd;
}
