import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCcaasWebhooks, WebhookDeliveryError } from '../../functions/adapters/ccaas-webhooks.ts';
import { makeWebhookSigning } from '../../functions/adapters/webhook-signing.ts';
import { generateWebhookSecret } from '../../local/stack.ts';

describe('the CCaaS webhook sender', () => {
  const [signing, other] = [generateWebhookSecret(), generateWebhookSecret()];
  const received: { headers: Record<string, string>; body: string }[] = [];
  /** What the receiver does with the next request: answer a status, or never answer. */
  let answer: number | 'hang' = 200;
  let server: Server;
  let url: string;
  const webhook = {
    type: 'call.ended',
    id: 'call.ended:call_1',
    at: '2026-03-01T12:00:00Z',
    data: { callId: 'call_1' },
  };
  const notices: string[] = [];
  const logger = { info: (m: string) => notices.push(m), warn: () => undefined, error: () => undefined };
  // Inline secrets: the Secrets Manager client is never asked.
  const secrets = makeWebhookSigning(new SecretsManagerClient({}), () => ({ inline: `${signing} ${other}` }));
  // A receiver that answers gets seconds (a busy machine is slow); one that hangs is cut off sooner.
  const sender = (target = () => url, timeoutMs = 5_000) =>
    makeCcaasWebhooks({ url: target, signing: secrets, logger, timeoutMs });
  const failure = (promise: Promise<boolean>) =>
    promise.then(
      () => expect.unreachable('delivered'),
      (err: unknown) => err as WebhookDeliveryError,
    );

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          headers: req.headers as Record<string, string>,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        if (answer !== 'hang') res.writeHead(answer).end('receiver says no');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('POSTs the webhook as JSON, signed with the first secret under the event id', async () => {
    answer = 204;
    expect(await sender().deliver(webhook)).toBe(true);

    const last = received.at(-1);
    expect(JSON.parse(last?.body ?? '')).toEqual(webhook);
    expect(last?.headers['content-type']).toBe('application/json');
    expect(last?.headers['webhook-id']).toBe(webhook.id);
    expect(new Webhook(signing).verify(last?.body ?? '', last?.headers ?? {})).toEqual(webhook);
    expect(() => new Webhook(other).verify(last?.body ?? '', last?.headers ?? {})).toThrow();
  });

  it.each([500, 503, 429, 408])('fails a %i as worth retrying', async (status) => {
    answer = status;
    const error = await failure(sender().deliver(webhook));

    expect(error).toBeInstanceOf(WebhookDeliveryError);
    expect(error).toMatchObject({ permanent: false, status, name: 'WebhookDeliveryFailed' });
  });

  it.each([400, 404, 410, 422])('fails a %i as refused for good', async (status) => {
    answer = status;
    const error = await failure(sender().deliver(webhook));

    expect(error).toMatchObject({ permanent: true, status, name: 'WebhookRejected' });
    expect(error.message).toContain('receiver says no');
  });

  it('fails a receiver that does not answer in time, or cannot be reached, as worth retrying', async () => {
    answer = 'hang';
    expect(await failure(sender(undefined, 200).deliver(webhook))).toMatchObject({
      permanent: false,
      message: expect.stringContaining('no answer within 200 ms'),
    });

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const gone = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await failure(sender(() => gone).deliver(webhook))).toMatchObject({ permanent: false });
  });

  it('delivers nothing, and says so once, while no webhook URL is configured', async () => {
    const before = received.length;
    const unconfigured = sender(() => '');

    expect(await unconfigured.deliver(webhook)).toBe(false);
    expect(await unconfigured.deliver(webhook)).toBe(false);
    expect(received).toHaveLength(before);
    expect(notices.filter((n) => n.includes('no CCaaS webhook URL'))).toHaveLength(1);
  });
});
