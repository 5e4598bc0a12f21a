import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Access, FUNCTIONS, type FunctionEntry } from '../../functions/manifest/index.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { AgentClient } from '../support/agent.ts';
import { ccaasClient } from '../support/ccaas.ts';
import { eventually } from '../support/poll.ts';

/**
 * The local runtime is as strict as AWS about what each function may do: each function signs its calls
 * with its own credentials (its name as access key) and the local endpoints refuse what its catalog access
 * does not grant; each function sees only the variables its access gives it.
 */
describe('each function with only its own grants', () => {
  let stack: LocalStack;
  const errors: string[] = [];
  beforeAll(async () => {
    stack = await startLocalStack({
      port: 0,
      onError: (message, error) => errors.push(`${message}: ${error}`),
    });
  });
  afterAll(() => stack.close());

  const as = (accessKeyId: string) => ({
    endpoint: stack.awsEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'any' },
    maxAttempts: 1,
  });
  const getCall = { TableName: 'Calls', Key: { callId: { S: 'grants-1' } } };

  it('lets a function do what its access grants', async () => {
    const out = await new DynamoDBClient(as('http-get-call')).send(new GetItemCommand(getCall));
    expect(out.Item).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('refuses, with AWS’s AccessDeniedException, each action its access does not grant', async () => {
    const denied = { name: 'AccessDeniedException', message: expect.stringContaining('http-get-call') };
    const dynamo = new DynamoDBClient(as('http-get-call'));
    await expect(
      dynamo.send(new PutItemCommand({ TableName: 'Calls', Item: { callId: { S: 'grants-1' } } })),
    ).rejects.toMatchObject({
      ...denied,
      message: expect.stringContaining('dynamodb:PutItem on resource: table:calls'),
    });
    await expect(
      dynamo.send(new GetItemCommand({ TableName: 'Agents', Key: { agentId: { S: 'a' } } })),
    ).rejects.toMatchObject(denied);
    await expect(
      new SFNClient(as('http-get-call')).send(
        new StartExecutionCommand({ stateMachineArn: stack.stateMachineArn, input: '{}' }),
      ),
    ).rejects.toMatchObject(denied);
    await expect(
      new EventBridgeClient(as('http-get-call')).send(
        new PutEventsCommand({
          Entries: [{ EventBusName: stack.eventBusName, Source: 'x', DetailType: 'y', Detail: '{}' }],
        }),
      ),
    ).rejects.toMatchObject(denied);
    await expect(
      new ApiGatewayManagementApiClient(as('http-get-call')).send(
        new PostToConnectionCommand({ ConnectionId: 'c-1', Data: new TextEncoder().encode('{}') }),
      ),
    ).rejects.toMatchObject({ name: 'ForbiddenException' });
    // Every refusal of a function is a runtime error: a missing grant fails whichever test meets it.
    expect(errors).toHaveLength(5);
    expect(errors[0]).toContain('AWS refused a function');
    errors.splice(0);
    // Nothing was written.
    expect((await new DynamoDBClient(as('local')).send(new GetItemCommand(getCall))).Item).toBeUndefined();
  });

  it('lets the notifier take from the webhook outbox and dead-letter, and only the redrive route move dead letters back', async () => {
    const { webhookOutbox, webhookDeadLetters } = stack.queues;
    const sqs = (accessKeyId: string) => new SQSClient(as(accessKeyId));
    const denied = (action: string) => ({
      name: 'AccessDeniedException',
      message: expect.stringContaining(`${action} on resource: queue:`),
    });
    const redrive = new StartMessageMoveTaskCommand({
      SourceArn: webhookDeadLetters.arn,
      DestinationArn: webhookOutbox.arn,
    });

    await sqs('events-ccaas-notifier').send(
      new ReceiveMessageCommand({ QueueUrl: webhookOutbox.url, VisibilityTimeout: 0 }),
    );
    await sqs('events-ccaas-notifier').send(
      new SendMessageCommand({ QueueUrl: webhookDeadLetters.url, MessageBody: '{}' }),
    );
    await sqs('http-redrive-dead-letters').send(redrive);
    expect(errors).toEqual([]);

    await expect(sqs('events-ccaas-notifier').send(redrive)).rejects.toMatchObject(
      denied('sqs:StartMessageMoveTask'),
    );
    await expect(
      sqs('http-redrive-dead-letters').send(new ReceiveMessageCommand({ QueueUrl: webhookOutbox.url })),
    ).rejects.toMatchObject(denied('sqs:ReceiveMessage'));
    await expect(
      sqs('http-get-call').send(new SendMessageCommand({ QueueUrl: webhookOutbox.url, MessageBody: '{}' })),
    ).rejects.toMatchObject(denied('sqs:SendMessage'));
    expect(errors).toHaveLength(3);
    errors.splice(0);
  });

  it('refuses an access key nobody was given, and a request signed by nobody', async () => {
    await expect(
      new DynamoDBClient(as('AKIAIOSFODNN7EXAMPLE')).send(new GetItemCommand(getCall)),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    const unsigned = await fetch(stack.awsEndpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'DynamoDB_20120810.GetItem', 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify(getCall),
    });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
  });

  it('grants the sweeper what re-routing a call takes: starting a workflow', async () => {
    const out = await new SFNClient(as('scheduled-sweeper')).send(
      new StartExecutionCommand({
        stateMachineArn: stack.stateMachineArn,
        name: 'grants-sweeper-probe',
        input: JSON.stringify({ callId: 'grants-none' }),
      }),
    );
    expect(out.executionArn).toContain('grants-sweeper-probe');
  });
});

describe('a function whose catalog entry lacks a grant', () => {
  const errors: string[] = [];
  let stack: LocalStack;
  // Without `events:publish`, the accept function's bundle leaves EventBridge out, as on AWS. Without
  // `agents:read`, the sync function (which keeps DynamoDB for its calls) is not given AGENTS_TABLE. The
  // notifier without `webhookOutbox:consume`: Lambda could not poll the outbox with its role.
  const lacking: Record<string, Access> = {
    'ws/accept': 'events:publish',
    'ws/sync': 'agents:read',
    'events/ccaas-notifier': 'webhookOutbox:consume',
  };
  const functions: FunctionEntry[] = FUNCTIONS.map((entry) => {
    const lacked = lacking[entry.handler];
    return lacked ? { ...entry, access: entry.access.filter((a) => a !== lacked) } : entry;
  });
  beforeAll(async () => {
    stack = await startLocalStack({
      port: 0,
      functions,
      onError: (message, error) => errors.push(`${message}: ${error}`),
    });
  });
  afterAll(() => stack.close());

  it('does not poll a queue for a function whose role may not consume it, and says so at start', () => {
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^events\/ccaas-notifier may not poll webhookOutbox: .*sqs:ReceiveMessage/),
      ]),
    );
  });

  it('fails where it would fail on AWS, and says which part of its bundle it missed', async () => {
    const agent = await AgentClient.register(stack.url, stack.wsUrl, 'grants-a1');
    await agent.online();
    await ccaasClient(stack.url, stack.webhookSecret).newCall({});
    const offer = await agent.next('offer');

    expect(await agent.request({ action: 'accept', offerId: offer.offerId })).toMatchObject({
      type: 'error',
    });
    await eventually(() => errors.length > 0 || undefined);
    expect(errors).toContain(
      'a function called what its bundle leaves out: ws-accept called events.publish, but its bundle leaves out eventBridge: its catalog access grants nothing that needs it',
    );
    await agent.close();
  });

  it('fails where it would fail on AWS, and says which variable it missed', async () => {
    const agent = await AgentClient.register(stack.url, stack.wsUrl, 'grants-a2');
    await agent.connect();
    errors.splice(0);

    expect(await agent.request({ action: 'sync' })).toMatchObject({ type: 'error' });
    await eventually(() => errors.length > 0 || undefined);
    expect(errors).toContain('ws-sync read AGENTS_TABLE: its catalog access does not give it this variable');
    await agent.close();
  });
});
