import type { Context } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TELEMETRY_ENVIRONMENT } from '../../functions/manifest/index.ts';

const context = {
  awsRequestId: 'r-1',
  functionName: 'probe',
  getRemainingTimeInMillis: () => 5000,
} as unknown as Context;

describe('metrics as a function writes them (CloudWatch embedded metric format)', () => {
  let shape: typeof import('../../functions/handlers/shared/lambda.ts');
  let port: typeof import('../../functions/handlers/shared/metrics.ts');
  const lines: string[] = [];

  beforeAll(async () => {
    // What the CDK app and the local runtime give every function, before its code loads.
    Object.assign(process.env, TELEMETRY_ENVIRONMENT, { POWERTOOLS_LOG_LEVEL: 'ERROR' });
    // The test run keeps metrics out of its output; this test is about them.
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    shape = await import('../../functions/handlers/shared/lambda.ts');
    port = await import('../../functions/handlers/shared/metrics.ts');
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk) => {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        return true;
      });
    }
  });
  afterEach(() => {
    lines.length = 0;
  });

  const emf = () =>
    lines
      .map((line) => JSON.parse(line) as Record<string, any>)
      .filter((line) => line._aws?.CloudWatchMetrics);

  it('flushes what an invocation recorded at its end, in the namespace, with the service and each unit', async () => {
    const handler = shape.lambdaHandler<unknown, string>().handler(async () => {
      port.metrics.record('TimeToOffer', 42);
      port.metrics.record('OfferAccepted', 1);
      return 'ok';
    });

    expect(await handler({}, context)).toBe('ok');

    const [line, ...more] = emf();
    expect(more).toEqual([]);
    expect(line?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'CallResiliency',
        Dimensions: [['service']],
        Metrics: expect.arrayContaining([
          { Name: 'TimeToOffer', Unit: 'Milliseconds' },
          { Name: 'OfferAccepted', Unit: 'Count' },
        ]),
      },
    ]);
    expect(line).toMatchObject({ service: 'call-resiliency', TimeToOffer: 42, OfferAccepted: 1 });
  });

  it('flushes them when the invocation fails too', async () => {
    const handler = shape.lambdaHandler<unknown, string>().handler(async () => {
      port.metrics.record('WebhookDeliveryFailed', 1);
      throw new Error('the CCaaS is down');
    });

    await expect(handler({}, context)).rejects.toThrow('the CCaaS is down');
    expect(emf()).toEqual([expect.objectContaining({ WebhookDeliveryFailed: 1 })]);
  });

  it('writes nothing, not even a warning, for an invocation that recorded nothing', async () => {
    const handler = shape.lambdaHandler<unknown, string>().handler(async () => 'ok');

    await handler({}, context);

    expect(lines).toEqual([]);
  });
});
