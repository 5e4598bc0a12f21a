import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type LambdaService, startLambdaService } from '../../local/lambda.ts';

/** The probe's handler file is outside functions/handlers; the catalog path is relative to that folder. */
const PROBE = {
  handler: '../../test/fixtures/lambda-probe',
  trigger: { type: 'authorizer' },
  access: [],
} as const;

describe('the local Lambda service', () => {
  const started: LambdaService[] = [];
  const errors: string[] = [];
  const service = (environment: Record<string, string>, timeoutSeconds?: number, environments?: number) => {
    const lambda = startLambdaService({
      functions: [{ ...PROBE, ...(timeoutSeconds ? { timeoutSeconds } : {}) }],
      environment,
      onError: (message) => errors.push(message),
      ...(environments ? { environments } : {}),
    });
    started.push(lambda);
    return lambda;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((lambda) => lambda.close()));
    errors.splice(0);
  });

  it('gives a function exactly the environment it was started with, and nothing of the host’s', async () => {
    const lambda = service({ PROBE: 'one' });

    const seen = (await lambda.invoke(PROBE, { do: 'report' })) as Record<string, unknown>;

    expect(process.env.HOME).toBeDefined();
    expect(seen).toMatchObject({ probe: 'one' });
    expect(seen.home).toBeUndefined();
    expect(seen.path).toBeUndefined();
  });

  it('gives each function only its own variables, from its first line of code to its last callback', async () => {
    const twin = { ...PROBE, handler: '../../test/fixtures/lambda-probe-twin' };
    const lambda = startLambdaService({
      functions: [PROBE, twin],
      // Both at once in one environment, so that each one's variables are seen while the other runs.
      environment: { SHARED: 'yes', AWS_LAMBDA_MAX_CONCURRENCY: '2' },
      ownEnvironment: (entry): Record<string, string> =>
        entry === twin ? { PROBE: 'twin' } : { PROBE: 'mine', MINE_ONLY: '1' },
      onError: (message) => errors.push(message),
    });
    started.push(lambda);

    const [mine, theirs] = (await Promise.all([
      lambda.invoke(PROBE, { do: 'report', waitMs: 30 }),
      lambda.invoke(twin, { do: 'report', waitMs: 10 }),
    ])) as {
      probe: string;
      probeAtLoad: string;
      variables: string[];
      functionName: string;
      runningAtStart: number;
    }[];

    expect(mine).toMatchObject({ probe: 'mine', probeAtLoad: 'mine' });
    expect(theirs).toMatchObject({ probe: 'twin', probeAtLoad: 'twin' });
    expect(Math.max(mine?.runningAtStart ?? 0, theirs?.runningAtStart ?? 0)).toBe(2);
    const every = ['AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_MAX_CONCURRENCY'];
    expect(mine?.variables).toEqual([...every, 'MINE_ONLY', 'PROBE', 'SHARED']);
    expect(theirs?.variables).toEqual([...every, 'PROBE', 'SHARED']);
    expect(theirs?.functionName).toBe('test-fixtures-lambda-probe-twin');
  });

  it('reports its heap once running, and removes the bundles of processes that ended and its own at close', async () => {
    const cache = new URL('../../node_modules/.cache/call-resiliency/', import.meta.url);
    const ended = spawnSync(process.execPath, ['-e', '']).pid;
    const abandoned = new URL(`functions-${ended}-0/`, cache);
    await mkdir(abandoned, { recursive: true });
    const ours = async () => (await readdir(cache)).filter((d) => d.startsWith(`functions-${process.pid}-`));
    const lambda = service({});

    expect(await lambda.heapUsed()).toBe(0);
    await lambda.warm();

    expect(existsSync(abandoned)).toBe(false);
    expect(await ours()).toHaveLength(1);
    expect(await lambda.heapUsed()).toBeGreaterThan(1_000_000);
    await lambda.close();
    expect(await ours()).toEqual([]);
  });

  it('keeps two services of one process apart, each with its own environment', async () => {
    const [first, second] = [service({ PROBE: 'first' }), service({ PROBE: 'second' })];

    const [a, b] = await Promise.all([
      first.invoke(PROBE, { do: 'report' }),
      second.invoke(PROBE, { do: 'report' }),
    ]);

    expect(a).toMatchObject({ probe: 'first' });
    expect(b).toMatchObject({ probe: 'second' });
  });

  it('runs concurrent invocations each in its own request context, with the catalog timeout as deadline', async () => {
    const lambda = service({ AWS_LAMBDA_MAX_CONCURRENCY: '8' }, 7);

    const seen = (await Promise.all(
      [30, 10, 20].map((waitMs) => lambda.invoke(PROBE, { do: 'report', waitMs })),
    )) as { requestId: string; storeRequestId: string; remainingMs: number }[];

    expect(new Set(seen.map((s) => s.requestId)).size).toBe(3);
    for (const s of seen) {
      expect(s.storeRequestId).toBe(s.requestId);
      expect(s.remainingMs).toBeGreaterThan(5_000);
      expect(s.remainingMs).toBeLessThanOrEqual(7_000);
    }
  });

  it('spreads invocations over its environments, each with its own module state, heap and counts', async () => {
    const [one, lambda] = [
      service({ PROBE: 'spread', AWS_LAMBDA_MAX_CONCURRENCY: '8' }),
      service({ PROBE: 'spread', AWS_LAMBDA_MAX_CONCURRENCY: '8' }, undefined, 2),
    ];
    await Promise.all([one.warm(), lambda.warm()]);

    const seen = (await Promise.all(
      Array.from({ length: 6 }, () => lambda.invoke(PROBE, { do: 'report', waitMs: 50 })),
    )) as { environment: string; probe: string }[];

    const environments = [...new Set(seen.map((s) => s.environment))];
    const each = environments.map((e) => seen.filter((s) => s.environment === e).length);
    expect(each).toEqual([3, 3]);
    expect(seen.every((s) => s.probe === 'spread')).toBe(true);
    expect(await lambda.heapUsed()).toBeGreaterThan((await one.heapUsed()) * 1.5);
    expect((await lambda.counts()).invocations[PROBE.handler]?.count).toBe(6);
  });

  it('keeps the other environments going when one crashes', async () => {
    const lambda = service({ PROBE: 'survivor', AWS_LAMBDA_MAX_CONCURRENCY: '8' }, undefined, 2);
    await lambda.warm();

    const [slow, crash] = [
      lambda.invoke(PROBE, { do: 'report', waitMs: 300 }),
      lambda.invoke(PROBE, { do: 'crash' }),
    ];

    await expect(crash).rejects.toMatchObject({ name: 'Runtime.ExitError' });
    expect(await slow).toMatchObject({ probe: 'survivor' });
    expect(errors).toEqual(['the local Lambda environment crashed']);
    // Another one starts in its place; the invocations go to the one up until it is up too.
    await lambda.warm();
    const after = (await Promise.all(
      Array.from({ length: 4 }, () => lambda.invoke(PROBE, { do: 'report', waitMs: 20 })),
    )) as { environment: string }[];
    expect(new Set(after.map((s) => s.environment)).size).toBe(2);
  });

  it('runs AWS_LAMBDA_MAX_CONCURRENCY invocations at once; the others wait, their deadline not yet running', async () => {
    const lambda = service({ AWS_LAMBDA_MAX_CONCURRENCY: '2' }, 1);
    await lambda.warm();

    const seen = (await Promise.all(
      Array.from({ length: 6 }, () => lambda.invoke(PROBE, { do: 'report', waitMs: 300 })),
    )) as { runningAtStart: number; remainingAtStartMs: number }[];

    expect(Math.max(...seen.map((s) => s.runningAtStart))).toBe(2);
    // The last two waited 600 ms for room: with a deadline counted from the request, 400 ms would be left.
    expect(Math.min(...seen.map((s) => s.remainingAtStartMs))).toBeGreaterThan(700);
  });

  it('lets the functions waiting for room take turns: a flood of one holds no other back', async () => {
    const twin = { ...PROBE, handler: '../../test/fixtures/lambda-probe-twin' };
    const lambda = startLambdaService({
      functions: [PROBE, twin],
      environment: {},
      onError: (message) => errors.push(message),
    });
    started.push(lambda);
    await lambda.warm();
    const finished: string[] = [];
    const run = (entry: { handler: string }, name: string) =>
      lambda.invoke(entry, { do: 'report', waitMs: 50 }).then(() => finished.push(name));

    await Promise.all([
      run(PROBE, 'a1'),
      run(PROBE, 'a2'),
      run(PROBE, 'a3'),
      run(PROBE, 'a4'),
      run(twin, 'b1'),
    ]);

    // One at a time: a1 was running, a2 had waited longest; then the twin's turn, before a3 and a4.
    expect(finished).toEqual(['a1', 'a2', 'b1', 'a3', 'a4']);
  });

  it('runs one invocation at a time in an environment that says nothing of its concurrency', async () => {
    const lambda = service({});

    const seen = (await Promise.all(
      Array.from({ length: 3 }, () => lambda.invoke(PROBE, { do: 'report', waitMs: 20 })),
    )) as { runningAtStart: number }[];

    expect(seen.map((s) => s.runningAtStart)).toEqual([1, 1, 1]);
  });

  it('maps a function’s stack traces to its TypeScript source, through its bundle’s source map', async () => {
    const lambda = service({});

    const { stack } = (await lambda.invoke(PROBE, { do: 'stack' })) as { stack: string };

    expect(stack).toMatch(/test\/fixtures\/lambda-probe\.ts:\d+/);
  });

  it('reports a handler’s error by its name and message, as Lambda does', async () => {
    const lambda = service({});

    await expect(lambda.invoke(PROBE, { do: 'fail' })).rejects.toMatchObject({
      name: 'CallEnded',
      message: 'as asked',
    });
    expect(errors).toEqual([]);
  });

  it('fails the invocations of an environment that crashed, and starts a fresh one for the next', async () => {
    const lambda = service({ PROBE: 'again', AWS_LAMBDA_MAX_CONCURRENCY: '2' });

    const slow = lambda.invoke(PROBE, { do: 'report', waitMs: 2_000 });
    await expect(lambda.invoke(PROBE, { do: 'crash' })).rejects.toMatchObject({ name: 'Runtime.ExitError' });
    await expect(slow).rejects.toMatchObject({ name: 'Runtime.ExitError' });
    expect(errors).toEqual(['the local Lambda environment crashed']);

    expect(await lambda.invoke(PROBE, { do: 'report' })).toMatchObject({ probe: 'again' });
  });

  it('refuses to start an environment whose functions end it while loading, and holds nothing', async () => {
    const lambda = service({ EXIT_AT_LOAD: 'yes' });

    await expect(lambda.warm()).rejects.toMatchObject({ name: 'Runtime.ExitError' });
    await expect(lambda.invoke(PROBE, { do: 'report' })).rejects.toMatchObject({ name: 'Runtime.ExitError' });
    await lambda.close();
  });
});
