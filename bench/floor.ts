/**
 * The I/O floor of delivering a call: what any design must do between the CCaaS's callback and the offer on
 * the agent's screen, done minimally — one HTTP request, its Standard Webhooks signature checked, three
 * conditional DynamoDB writes (the callback's receipt, the call, its offer) and one `@connections` push to a
 * socket of the local gateway — by a tiny server in the bench, with the real SDK clients, on the same local
 * AWS endpoint (and so with the same injected latencies) as the product, but with no Lambda, workflow or
 * event bus. The product's time-to-offer divided by this is its overhead.
 */
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { Webhook } from 'standardwebhooks';
import WebSocket from 'ws';
import { TABLES } from '../functions/manifest/index.ts';
import { postSigned } from '../local/ccaas-simulator.ts';
import { OPERATOR_ACCESS_KEY } from '../local/grants.ts';
import { listen, readBody } from '../local/http-io.ts';
import type { LocalStack } from '../local/stack.ts';
import { staffFetch, tokenFor } from '../test/support/tokens.ts';

const AGENT_ID = 'bench-floor';

/** Time-to-offer of the floor, in ms, for `samples` callbacks one after the other. */
export async function measureFloor(stack: LocalStack, samples: number): Promise<number[]> {
  const aws = {
    endpoint: stack.awsEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: OPERATOR_ACCESS_KEY, secretAccessKey: OPERATOR_ACCESS_KEY },
  };
  const dynamo = new DynamoDBClient(aws);
  const sockets = new ApiGatewayManagementApiClient(aws);
  const webhook = new Webhook(stack.webhookSecret.split(' ')[0] ?? '');

  // An agent of a queue no call goes to: its socket is the push's target.
  await staffFetch(`${stack.url}/v1/agents/${AGENT_ID}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: AGENT_ID, queues: ['bench-floor'] }),
  });
  const socket = new WebSocket(`${stack.wsUrl}?token=${await tokenFor(stack.url, AGENT_ID)}`);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const agent = await dynamo.send(
    new GetItemCommand({ TableName: TABLES.agents.id, Key: { agentId: { S: AGENT_ID } } }),
  );
  const connectionId = agent.Item?.connections?.L?.[0]?.S ?? agent.Item?.connections?.SS?.[0];
  if (!connectionId) throw new Error('the floor agent has no connection');

  const putNew = (table: string, item: Record<string, string>, key: string) =>
    dynamo.send(
      new PutItemCommand({
        TableName: table,
        Item: Object.fromEntries(Object.entries(item).map(([k, v]) => [k, { S: v }])),
        ConditionExpression: `attribute_not_exists(${key})`,
      }),
    );
  const server = createServer(async (req, res) => {
    try {
      const body = (await readBody(req)).toString('utf8');
      const { callId } = webhook.verify(body, req.headers as Record<string, string>) as { callId: string };
      const webhookId = String(req.headers['webhook-id']);
      await putNew(TABLES.webhookReceipts.id, { webhookId }, 'webhookId');
      await putNew(TABLES.callEntries.id, { callId, entry: 'floor#call' }, 'callId');
      await putNew(TABLES.callEntries.id, { callId, entry: 'floor#offer' }, 'callId');
      await sockets.send(
        new PostToConnectionCommand({
          ConnectionId: connectionId,
          Data: JSON.stringify({ type: 'offer', callId }),
        }),
      );
      res.writeHead(202).end();
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
  const url = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;

  const arrived = new Map<string, () => void>();
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { type: string; callId?: string };
    if (message.type === 'offer' && message.callId) arrived.get(message.callId)?.();
  });
  const times: number[] = [];
  try {
    for (let n = 0; n < samples; n++) {
      const callId = `floor-${n}-${performance.now()}`;
      const offered = new Promise<void>((resolve) => arrived.set(callId, resolve));
      const started = performance.now();
      const answer = await postSigned(url, stack.webhookSecret, '/calls', { callId });
      if (answer.status !== 202) throw new Error(`the floor server answered ${answer.status}`);
      await offered;
      times.push(performance.now() - started);
    }
  } finally {
    socket.close();
    server.close();
    dynamo.destroy();
    sockets.destroy();
  }
  return times;
}
