import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, type MetricName, SERVICE_NAME } from '../functions/manifest/index.ts';
import type { HandlerFunction } from './handler-function.ts';

const MINUTE = Duration.minutes(1);
/** An interaction owed this long means the CRM has been failing for a while: someone should look. */
const PENDING_INTERACTION_ALARM_SECONDS = 15 * 60;

/** One of the product's own metrics (core vocabulary's METRIC_UNITS), as the functions write them (EMF). */
function productMetric(name: MetricName, statistic: string, label?: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: SERVICE_NAME },
    period: MINUTE,
    statistic,
    ...(label ? { label } : {}),
  });
}
/** The operations the stores use, whose throttling is watched. */
const TABLE_OPERATIONS = [
  dynamodb.Operation.GET_ITEM,
  dynamodb.Operation.PUT_ITEM,
  dynamodb.Operation.UPDATE_ITEM,
  dynamodb.Operation.DELETE_ITEM,
  dynamodb.Operation.QUERY,
  dynamodb.Operation.SCAN,
];

export interface MonitoringProps {
  /** An address that gets every alarm (context `alarmEmail`); without it, subscribe to the topic yourself. */
  alarmEmail?: string;
}

export interface WatchedResources {
  functions: readonly HandlerFunction[];
  stateMachine: sfn.IStateMachine;
  httpApi: apigwv2.IHttpApi;
  webSocketApi: apigwv2.IWebSocketApi;
  webSocketStageName: string;
  tables: Record<string, dynamodb.ITable>;
  /** Dead-letter queues by a name for people: a message in one is something nobody handled. */
  deadLetters: Record<string, sqs.IQueue>;
  /** The queue of webhooks waiting for the CCaaS, by a name for people, and the age of those retried. */
  webhookOutbox: {
    name: string;
    queue: sqs.IQueue;
    /** The age in seconds of each webhook at a failed attempt that is retried (the notifier's logs). */
    retryAge: cloudwatch.Metric;
    /** The longest wait between two attempts: a webhook the CCaaS does not take is retried that often. */
    maxRetryDelay: Duration;
  };
}

/** How old a waiting webhook may get before someone is told: the CCaaS has not taken it for that long. */
const WEBHOOK_ALARM_AGE = Duration.minutes(15);
const FIVE_MINUTES = Duration.minutes(5);

/**
 * What an operator watches: one SNS topic that every alarm notifies, an alarm on each failure signal
 * (function errors and throttles, failed workflows, API 5xx, WebSocket integration errors, DynamoDB
 * throttles, dead letters, an interaction owed too long) and one dashboard with those, the API's traffic
 * and latency, and the product's own metrics (time to offer and to answer, offers and calls by outcome).
 * docs/operations.md says what each alarm means and what to do.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Alarms', {
      enforceSSL: true,
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    this.action = new SnsAction(this.topic);
  }

  /**
   * An alarm when `metric` goes over `threshold` in its period (by default in any one period; `lookBack`
   * periods keep it raised while one of the last so many went over); it notifies the topic.
   */
  alarm(
    id: string,
    metric: cloudwatch.IMetric,
    description: string,
    threshold = 0,
    lookBack = 1,
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      alarmDescription: description,
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: lookBack,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    return alarm;
  }

  /** The alarms and the dashboard of the stack's resources. */
  watch(resources: WatchedResources): void {
    const sum = { period: MINUTE, statistic: cloudwatch.Stats.SUM };
    // Ids unique across functions: the dashboard graphs every function's expression together.
    const failedOrThrottled = resources.functions.map((f, i) => {
      const id = f.node.id;
      const metric = new cloudwatch.MathExpression({
        expression: `errors${i} + throttles${i}`,
        usingMetrics: {
          [`errors${i}`]: f.function.metricErrors(sum),
          [`throttles${i}`]: f.function.metricThrottles(sum),
        },
        label: id,
        period: MINUTE,
      });
      this.alarm(`${id}Errors`, metric, `${id} failed or was throttled (its logs say why)`);
      return metric;
    });

    const machine = resources.stateMachine;
    const workflowFailures = new cloudwatch.MathExpression({
      expression: 'failed + timedOut + aborted + throttled',
      usingMetrics: {
        failed: machine.metricFailed(sum),
        timedOut: machine.metricTimedOut(sum),
        aborted: machine.metricAborted(sum),
        throttled: machine.metricThrottled(sum),
      },
      label: 'RouteCall failed, timed out, aborted or throttled',
      period: MINUTE,
    });
    this.alarm(
      'RouteCallFailures',
      workflowFailures,
      'RouteCall executions failed: calls may have overflowed',
    );

    const http5xx = resources.httpApi.metricServerError(sum);
    this.alarm('HttpApiServerErrors', http5xx, 'The REST API answered 5xx (CCaaS callbacks retry them)');
    const webSocketMetric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: resources.webSocketApi.apiId, Stage: resources.webSocketStageName },
        ...sum,
      });
    const webSocketErrors = new cloudwatch.MathExpression({
      expression: 'integration + execution',
      usingMetrics: {
        integration: webSocketMetric('IntegrationError'),
        execution: webSocketMetric('ExecutionError'),
      },
      label: 'WebSocket integration and execution errors',
      period: MINUTE,
    });
    this.alarm(
      'WebSocketErrors',
      webSocketErrors,
      'Agent socket messages failed in API Gateway or their function',
    );

    const throttles = Object.entries(resources.tables).map(([name, table], i) => {
      const byOperation = TABLE_OPERATIONS.map((operation, j) => [
        `throttled${i}_${j}`,
        table.metric('ThrottledRequests', {
          dimensionsMap: { TableName: table.tableName, Operation: operation },
          ...sum,
        }),
      ]);
      const metric = new cloudwatch.MathExpression({
        expression: byOperation.map(([id]) => id).join(' + '),
        usingMetrics: Object.fromEntries(byOperation),
        label: name,
        period: MINUTE,
      });
      this.alarm(`${name}TableThrottles`, metric, `DynamoDB throttled requests to the ${name} table`);
      return metric;
    });

    const outbox = resources.webhookOutbox;
    // Nothing takes webhooks out of the outbox (its consumer is broken, disabled or throttled). SQS leaves a
    // message received three times out of this metric, so it says nothing of a CCaaS outage: the next one does.
    const oldest = outbox.queue.metricApproximateAgeOfOldestMessage({ period: MINUTE, statistic: 'Maximum' });
    this.alarm(
      `${outbox.name}OldestMessage`,
      oldest,
      `A webhook has waited in the ${outbox.name} queue for ${WEBHOOK_ALARM_AGE.toMinutes()} minutes without being tried: is the notifier consuming it?`,
      WEBHOOK_ALARM_AGE.toSeconds(),
    );
    // A webhook the CCaaS has not taken for that long. Such a webhook is retried at least every maximum
    // delay: the alarm looks back that far, so it stays raised while the CCaaS does not take webhooks.
    const notTaken = outbox.retryAge.with({ period: FIVE_MINUTES, statistic: 'Maximum' });
    this.alarm(
      'CcaasWebhooksNotTaken',
      notTaken,
      `The CCaaS has not taken a webhook for ${WEBHOOK_ALARM_AGE.toMinutes()} minutes: it is down, unreachable or answers 5xx, 408 or 429 (the notifier's logs say which); webhooks are retried, then dead-lettered`,
      WEBHOOK_ALARM_AGE.toSeconds(),
      Math.ceil(outbox.maxRetryDelay.toSeconds() / FIVE_MINUTES.toSeconds()) + 1,
    );

    const depth = Object.entries(resources.deadLetters).map(([name, queue]) =>
      queue.metricApproximateNumberOfMessagesVisible({ period: MINUTE, statistic: 'Maximum', label: name }),
    );

    const oldestPending = productMetric('OldestPendingInteractionAge', 'Maximum');
    this.alarm(
      'InteractionsPendingTooLong',
      oldestPending,
      `An answered call has waited over ${PENDING_INTERACTION_ALARM_SECONDS / 60} minutes for its interaction: the CRM keeps failing`,
      PENDING_INTERACTION_ALARM_SECONDS,
    );
    const sums = (names: MetricName[]) => names.map((name) => productMetric(name, cloudwatch.Stats.SUM));
    const percentiles = (name: MetricName) =>
      ['p50', 'p99'].map((p) => productMetric(name, p, `${name} ${p}`));

    new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Time to offer (ms)',
            left: percentiles('TimeToOffer'),
            width: 6,
          }),
          new cloudwatch.GraphWidget({
            title: 'Time to answer (ms)',
            left: percentiles('TimeToAnswer'),
            width: 6,
          }),
          new cloudwatch.GraphWidget({
            title: 'Offers by outcome',
            left: sums(['OfferAccepted', 'OfferRejected', 'OfferMissed', 'OfferRevoked', 'OfferSetupFailed']),
            stacked: true,
            width: 6,
          }),
          new cloudwatch.GraphWidget({
            title: 'Calls by outcome',
            left: sums(['CallCompleted', 'CallAbandoned', 'CallOverflowed']),
            stacked: true,
            width: 6,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Interactions pending (count, oldest in s)',
            left: [productMetric('InteractionsPending', 'Maximum')],
            right: [oldestPending],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Webhook deliveries failed',
            left: sums(['WebhookDeliveryFailed']),
            width: 8,
          }),
          new cloudwatch.GraphWidget({ title: 'Sweeper repairs', left: sums(['SweeperRepairs']), width: 8 }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Function errors + throttles',
            left: failedOrThrottled,
            width: 12,
          }),
          new cloudwatch.GraphWidget({ title: 'RouteCall failures', left: [workflowFailures], width: 12 }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'REST API: requests, 4xx, 5xx',
            left: [resources.httpApi.metricCount(sum), resources.httpApi.metricClientError(sum), http5xx],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'REST API latency (p50, p99)',
            left: [
              resources.httpApi.metricLatency({ period: MINUTE, statistic: 'p50' }),
              resources.httpApi.metricLatency({ period: MINUTE, statistic: 'p99' }),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({ title: 'WebSocket errors', left: [webSocketErrors], width: 8 }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'DynamoDB throttled requests', left: throttles, width: 8 }),
          new cloudwatch.GraphWidget({
            title: 'Webhooks waiting: oldest, and age at a retry (s)',
            left: [
              oldest.with({ label: `${outbox.name} oldest message` }),
              notTaken.with({ label: 'a webhook retried' }),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({ title: 'Dead letters waiting', left: depth, width: 8 }),
        ],
      ],
    });
  }
}
