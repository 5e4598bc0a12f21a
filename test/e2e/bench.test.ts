import { describe, expect, it } from 'vitest';
import { AWS_LATENCY_MS } from '../../bench/aws-latency.ts';
import { formatReport, type Operation, runBench } from '../../bench/offer-latency.ts';

const perCall = (operations: Operation[], service: string, operation: string) =>
  operations.find((o) => o.service === service && o.operation === operation)?.perCall;

describe('npm run bench, with tiny numbers', () => {
  it('reports latencies against the floor, losses, counted operations and their price, and the AWS profile', async () => {
    const report = await runBench({
      rates: [3],
      durationSeconds: 1,
      agents: 3,
      talkSeconds: 0.1,
      floorSamples: 5,
      // Its calls are not counted: 3 placed per row.
      warmupSeconds: 1,
      awsRate: 3,
      awsDurationSeconds: 1,
      offerWaitSeconds: 10,
    });

    expect(report.rows.map((r) => r.profile)).toEqual(['local', 'aws']);
    for (const row of report.rows) {
      expect(row).toMatchObject({ placed: 3, answered: 3, neverOffered: 0, lost: 0 });
      for (const p of [row.timeToOffer, row.acceptToInteraction, row.floor]) {
        expect(p.p50).toBeGreaterThan(0);
        expect(p.max).toBeGreaterThanOrEqual(p.p50);
      }
      expect(row.timesFloor).toBeGreaterThan(0);
      // What the README says an answered call costs the workflow, and one execution per call.
      expect(perCall(row.operations, 'Step Functions', 'state transitions')).toBe(2);
      expect(perCall(row.operations, 'Step Functions', 'StartExecution')).toBe(1);
      expect(perCall(row.operations, 'DynamoDB', 'write request units')).toBeGreaterThan(0);
      expect(perCall(row.operations, 'API Gateway', '@connections PostToConnection')).toBeGreaterThan(0);
      expect(perCall(row.operations, 'Lambda', 'invocations')).toBeGreaterThan(0);
      expect(row.usdPer1000).toBeGreaterThan(0);
      expect(row.cpuMsPerCall).toBeGreaterThan(0);
    }
    // The profile's latencies are injected: the floor waits for 3 writes and a push, an offer for at
    // least the gateway, StartExecution, the workflow's invocation and the push.
    const aws = report.rows[1];
    const ms = AWS_LATENCY_MS;
    expect(aws?.floor.p50).toBeGreaterThanOrEqual(3 * ms.dynamodb + ms.connections);
    expect(aws?.timeToOffer.p50).toBeGreaterThanOrEqual(
      ms.gatewayInvoke + ms.startExecution + ms.workflowInvoke + ms.connections,
    );
    const text = formatReport(report);
    expect(text).toContain('3/s (AWS profile)');
    expect(text).toContain('https://aws.amazon.com/step-functions/pricing/');
  }, 90_000);
});
