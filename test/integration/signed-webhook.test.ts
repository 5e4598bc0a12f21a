import { randomUUID } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { makeWebhookReceipts } from '../../functions/adapters/dynamo/webhook-receipts.ts';
import { makeWebhookSigning } from '../../functions/adapters/webhook-signing.ts';
import { RequestError } from '../../functions/handlers/shared/errors.ts';
import { type HttpEvent, httpHandler, json, readJson } from '../../functions/handlers/shared/http.ts';
import { signedWebhook } from '../../functions/handlers/shared/signed-webhook.ts';
import { generateWebhookSecret } from '../../local/stack.ts';
import { startDynamo } from '../support/dynamo.ts';
import { eventually } from '../support/poll.ts';

/**
 * The signedWebhook middleware in the HTTP handler shape, with the real receipts store (dynalite) and the
 * real signing adapter: what it keeps for replays, what it gives back, and what it lets run again.
 */
describe('a signed callback', () => {
  let db: Awaited<ReturnType<typeof startDynamo>>;
  const secret = generateWebhookSecret();
  /** What the handler answers next, and how often it ran. */
  const behaviour: { answer: () => Promise<number>; runs: number } = { answer: async () => 200, runs: 0 };
  let handler: (event: HttpEvent, context: Context) => Promise<unknown>;

  const context = {
    functionName: 'signed-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:signed-test',
    memoryLimitInMB: '128',
    awsRequestId: 'req',
    getRemainingTimeInMillis: () => 10_000,
  } as unknown as Context;

  function signed(body: unknown, id = randomUUID(), key = secret): HttpEvent {
    const text = JSON.stringify(body);
    const at = new Date();
    return {
      version: '2.0',
      routeKey: 'POST /v1/test',
      rawPath: '/v1/test',
      rawQueryString: '',
      // Mixed case, as clients send them: the shape lower-cases them before anything reads them.
      headers: {
        'Content-Type': 'application/json',
        'Webhook-Id': id,
        'Webhook-Timestamp': String(Math.floor(at.getTime() / 1000)),
        'Webhook-Signature': new Webhook(key).sign(id, at, text),
      },
      body: text,
      isBase64Encoded: false,
      requestContext: { requestId: randomUUID(), http: { method: 'POST' } },
    } as unknown as HttpEvent;
  }
  const call = async (event: HttpEvent) =>
    (await handler(structuredClone(event), context)) as { statusCode: number; body: string };

  beforeAll(async () => {
    db = await startDynamo();
    const ports = {
      webhookReceipts: makeWebhookReceipts({ doc: db.doc, tableName: () => 'WebhookReceipts' }),
      webhookSigning: makeWebhookSigning(new SecretsManagerClient({}), () => ({ inline: secret })),
    };
    handler = httpHandler(
      async (event) => {
        behaviour.runs += 1;
        const { n } = readJson(event, z.object({ n: z.number() }));
        const status = await behaviour.answer();
        if (status >= 500) throw new Error('the handler broke');
        if (status >= 400) throw new RequestError(status, 'BAD_REQUEST', 'refused by the handler');
        return json(status, { n, run: behaviour.runs });
      },
      signedWebhook(() => ports),
    );
  });
  afterAll(() => db.close());

  it('gives a replay the first 2xx answer, without running the handler again', async () => {
    behaviour.answer = async () => 202;
    const event = signed({ n: 1 });

    const first = await call(event);
    const runs = behaviour.runs;
    const replay = await call(event);

    expect(first.statusCode).toBe(202);
    expect(replay).toEqual(first);
    expect(behaviour.runs).toBe(runs);
  });

  it('keeps a 4xx answer for replays too: a retry would get it anyway', async () => {
    behaviour.answer = async () => 200;
    const event = signed({ n: 'not a number' });

    const first = await call(event);
    const runs = behaviour.runs;
    const replay = await call(event);

    expect(first.statusCode).toBe(422);
    expect(JSON.parse(first.body).error.code).toBe('VALIDATION_FAILED');
    expect(replay).toEqual(first);
    expect(behaviour.runs).toBe(runs);
  });

  it('lets the sender’s retry run again after a 5xx answer', async () => {
    const event = signed({ n: 2 });
    behaviour.answer = async () => 500;
    const failed = await call(event);
    behaviour.answer = async () => 200;
    const runs = behaviour.runs;

    const retried = await call(event);

    expect(failed.statusCode).toBe(500);
    expect(JSON.parse(failed.body).error.code).toBe('INTERNAL');
    expect(retried.statusCode).toBe(200);
    expect(behaviour.runs).toBe(runs + 1);
  });

  it('refuses a bad signature with 401 and keeps nothing: the rightly signed message still runs', async () => {
    behaviour.answer = async () => 200;
    const id = randomUUID();
    const runs = behaviour.runs;

    const forged = await call(signed({ n: 3 }, id, generateWebhookSecret()));
    const genuine = await call(signed({ n: 3 }, id));

    expect(forged.statusCode).toBe(401);
    expect(JSON.parse(forged.body).error.code).toBe('UNAUTHORIZED');
    expect(genuine.statusCode).toBe(200);
    expect(behaviour.runs).toBe(runs + 1);
  });

  it('refuses a webhook-id reused for another body with 409 WEBHOOK_ID_REUSED', async () => {
    behaviour.answer = async () => 200;
    const id = randomUUID();
    await call(signed({ n: 4 }, id));

    const reused = await call(signed({ n: 5 }, id));

    expect(reused.statusCode).toBe(409);
    expect(JSON.parse(reused.body).error.code).toBe('WEBHOOK_ID_REUSED');
  });

  it('answers a replay that arrives while the first is running with that first answer', async () => {
    let finish: () => void = () => undefined;
    behaviour.answer = () =>
      new Promise<number>((resolve) => {
        finish = () => resolve(201);
      });
    const event = signed({ n: 6 });
    const runs = behaviour.runs;

    const first = call(event);
    await eventually(() => behaviour.runs > runs, { what: 'the first request to be running' });
    const replay = call(event);
    // The replay polls the receipt every 100 ms; let it find the claim taken at least once.
    await new Promise((resolve) => setTimeout(resolve, 250));
    finish();

    const [a, b] = await Promise.all([first, replay]);
    expect(a.statusCode).toBe(201);
    expect(b).toEqual(a);
    expect(behaviour.runs).toBe(runs + 1);
  });
});
