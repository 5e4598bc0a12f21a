import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Delivery {
  webhookId: string;
  /** The JSON body as received: `{type, id, at, data}`. */
  payload: { type: string; id: string; at: string; data: Record<string, any> };
  /** Whether the signature verified with the receiver's secret. */
  verified: boolean;
  /** What the receiver answered. */
  status: number;
}

/**
 * The CCaaS's webhook endpoint, the one fake of these tests (it is outside the product): it verifies each
 * delivery with the secret, records it, and answers whatever `answer` says (200 unless told otherwise).
 */
export async function startWebhookReceiver(secret: string) {
  const webhook = new Webhook(secret);
  const deliveries: Delivery[] = [];
  const state = {
    /** The status to answer a delivery with, given the earlier deliveries of the same webhook-id. */
    answer: (_delivery: Omit<Delivery, 'status'>, _earlier: Delivery[]): number => 200,
  };
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
  const server = createServer(async (req, res) => {
    const body = await read(req);
    const headers = Object.fromEntries(
      ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, String(req.headers[h] ?? '')]),
    );
    let verified = true;
    try {
      webhook.verify(body, headers);
    } catch {
      verified = false;
    }
    const received = { webhookId: headers['webhook-id'] as string, payload: JSON.parse(body), verified };
    const status = state.answer(
      received,
      deliveries.filter((d) => d.webhookId === received.webhookId),
    );
    deliveries.push({ ...received, status });
    res.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ccaas/webhooks`,
    deliveries,
    state,
    /** Deliveries about one call. */
    of: (callId: string) => deliveries.filter((d) => d.payload.data.callId === callId),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
