import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsEndpoint } from '../../local/aws-endpoint.ts';
import { startEventSourceMapping } from '../../local/event-source-mapping.ts';
import { createLocalSqs, sqsService } from '../../local/sqs.ts';
import { eventually } from '../support/poll.ts';

const ACCOUNT = '000000000000';

/** A queue of work whose messages go to a dead-letter queue after two receives, and that queue. */
function localSqs(visibilityTimeoutSeconds = 30) {
  return createLocalSqs({
    account: ACCOUNT,
    region: 'us-east-1',
    queues: [
      {
        key: 'work',
        name: 'Work',
        visibilityTimeoutSeconds,
        retentionSeconds: 3600,
        redrive: { deadLetters: 'dead', maxReceiveCount: 2 },
      },
      { key: 'dead', name: 'Dead', visibilityTimeoutSeconds: 30, retentionSeconds: 3600 },
      { key: 'other', name: 'Other', visibilityTimeoutSeconds: 30, retentionSeconds: 3600 },
    ],
  });
}

describe('the local SQS, through the SDK', () => {
  const sqs = localSqs();
  const errors: unknown[] = [];
  const endpoint = createAwsEndpoint({
    services: { AmazonSQS: sqsService(sqs) },
    authorize: () => undefined,
    connections: () => ({ status: 404 }),
    jwks: () => ({}),
    onError: (_message, error) => errors.push(error),
  });
  let client: SQSClient;
  let url: { work: string; dead: string; other: string };
  const arn = { work: sqs.arnOf('work'), dead: sqs.arnOf('dead'), other: sqs.arnOf('other') };

  beforeAll(async () => {
    const at = await endpoint.listen();
    url = { work: sqs.urlOf('work', at), dead: sqs.urlOf('dead', at), other: sqs.urlOf('other', at) };
    client = new SQSClient({
      endpoint: at,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client.destroy();
    sqs.close();
    await endpoint.close();
    expect(errors).toEqual([]);
  });

  const send = (queue: string, body: string) =>
    client.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: body }));
  const receive = async (queue: string, options: { wait?: number; visibility?: number } = {}) =>
    (
      await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queue,
          MaxNumberOfMessages: 10,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
          ...(options.wait !== undefined ? { WaitTimeSeconds: options.wait } : {}),
          ...(options.visibility !== undefined ? { VisibilityTimeout: options.visibility } : {}),
        }),
      )
    ).Messages ?? [];
  const only = (messages: Message[]) => {
    expect(messages).toHaveLength(1);
    return messages[0] as Message;
  };
  const drain = async (queue: string) => {
    for (const m of await receive(queue, { visibility: 0 })) {
      await client.send(new DeleteMessageCommand({ QueueUrl: queue, ReceiptHandle: m.ReceiptHandle }));
    }
  };

  it('gives a message once, with its attributes, keeps it out of sight while it is handled, and deletes it', async () => {
    const sent = await send(url.other, 'hello');
    const before = Date.now();

    const message = only(
      await client
        .send(
          new ReceiveMessageCommand({
            QueueUrl: url.other,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        )
        .then((out) => out.Messages ?? []),
    );

    expect(message).toMatchObject({ MessageId: sent.MessageId, Body: 'hello' });
    expect(message.Attributes).toMatchObject({ ApproximateReceiveCount: '1' });
    expect(Number(message.Attributes?.SentTimestamp)).toBeLessThanOrEqual(before);
    expect(await receive(url.other)).toEqual([]);
    await client.send(
      new DeleteMessageCommand({ QueueUrl: url.other, ReceiptHandle: message.ReceiptHandle }),
    );
    expect(await receive(url.other)).toEqual([]);
  });

  it('gives a message back once its visibility timeout, changed or not, ends, counting the receives', async () => {
    await send(url.other, 'again');
    const first = only(await receive(url.other));

    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url.other,
        ReceiptHandle: first.ReceiptHandle,
        VisibilityTimeout: 1,
      }),
    );
    expect(await receive(url.other)).toEqual([]);
    // A long poll ends when the message is in sight again.
    const second = only(await receive(url.other, { wait: 5 }));

    expect(second).toMatchObject({ MessageId: first.MessageId, Body: 'again' });
    expect(second.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(second.ReceiptHandle).not.toBe(first.ReceiptHandle);
    await drain(url.other);
  });

  it('acts on a message only with its latest receipt handle, and refuses what SQS refuses', async () => {
    await send(url.other, 'handles');
    const first = only(await receive(url.other, { visibility: 0 }));
    const second = only(await receive(url.other));
    const change = (handle: string | undefined, seconds: number) =>
      client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url.other,
          ReceiptHandle: handle,
          VisibilityTimeout: seconds,
        }),
      );

    // The stale handle deletes nothing (and says nothing), nor changes anything.
    await client.send(new DeleteMessageCommand({ QueueUrl: url.other, ReceiptHandle: first.ReceiptHandle }));
    await expect(change(first.ReceiptHandle, 0)).rejects.toMatchObject({ name: 'MessageNotInflight' });
    await expect(change(second.ReceiptHandle, 43_201)).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    await expect(change('not-a-handle', 0)).rejects.toMatchObject({ name: 'ReceiptHandleIsInvalid' });
    await expect(
      client.send(new SendMessageCommand({ QueueUrl: `${url.other}-none`, MessageBody: 'x' })),
    ).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    await expect(
      client.send(new ReceiveMessageCommand({ QueueUrl: url.other, MaxNumberOfMessages: 11 })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await change(second.ReceiptHandle, 0);

    expect(only(await receive(url.other)).MessageId).toBe(second.MessageId);
    await drain(url.other);
  });

  it('moves a message received the maximum receive count to the dead-letter queue, as it was sent', async () => {
    const sent = await send(url.work, 'poison');
    const first = only(await receive(url.work, { visibility: 0 }));
    only(await receive(url.work, { visibility: 0 }));

    expect(await receive(url.work)).toEqual([]);
    const dead = only(await receive(url.dead, { visibility: 0 }));
    expect(dead).toMatchObject({ MessageId: sent.MessageId, Body: 'poison' });
    expect(dead.Attributes?.SentTimestamp).toBe(first.Attributes?.SentTimestamp);
  });

  it('redrives the dead-letter queue to a destination as new messages, and lists the move', async () => {
    const [dead] = await receive(url.dead, { visibility: 0 });
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: url.dead, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(Attributes).toEqual({ ApproximateNumberOfMessages: '1' });

    const { TaskHandle } = await client.send(
      new StartMessageMoveTaskCommand({ SourceArn: arn.dead, DestinationArn: arn.work }),
    );

    expect(TaskHandle).toEqual(expect.any(String));
    expect(await receive(url.dead)).toEqual([]);
    const moved = only(await receive(url.work, { visibility: 0 }));
    expect(moved.Body).toBe('poison');
    expect(moved.MessageId).not.toBe(dead?.MessageId);
    expect(moved.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(Number(moved.Attributes?.SentTimestamp)).toBeGreaterThan(
      Number(dead?.Attributes?.SentTimestamp) - 1,
    );
    const { Results } = await client.send(new ListMessageMoveTasksCommand({ SourceArn: arn.dead }));
    expect(Results).toEqual([
      expect.objectContaining({
        Status: 'COMPLETED',
        ApproximateNumberOfMessagesMoved: 1,
        DestinationArn: arn.work,
      }),
    ]);
    await expect(
      client.send(new StartMessageMoveTaskCommand({ SourceArn: arn.other, DestinationArn: arn.work })),
    ).rejects.toMatchObject({ name: 'UnsupportedOperation' });
    await drain(url.work);
  });
});

describe('the local event source mapping', () => {
  /** Starts a mapping of the work queue to `invoke`; the queue's messages come back after 1 s. */
  function mapping(invoke: (event: any) => Promise<unknown>, refuse?: string) {
    const sqs = localSqs(1);
    const errors: string[] = [];
    const esm = startEventSourceMapping({
      sqs,
      queue: 'work',
      queueArn: sqs.arnOf('work'),
      region: 'us-east-1',
      batchSize: 10,
      functionName: 'consumer',
      invoke,
      authorize: (action) =>
        action === refuse ? { type: 'AccessDeniedException', message: `no ${action}` } : undefined,
      onError: (message, error) => errors.push(`${message}: ${String(error)}`),
    });
    return {
      sqs,
      errors,
      async close() {
        await esm.close();
        sqs.close();
      },
    };
  }
  const bodies = (event: { Records: { body: string }[] }) => event.Records.map((r) => r.body);

  it('invokes with SQS records and deletes what the function did not report failed', async () => {
    const seen: { body: string; receiveCount: string }[] = [];
    const { sqs, errors, close } = mapping(async (event) => {
      for (const r of event.Records)
        seen.push({ body: r.body, receiveCount: r.attributes.ApproximateReceiveCount });
      expect(event.Records[0]).toMatchObject({
        eventSource: 'aws:sqs',
        eventSourceARN: sqs.arnOf('work'),
        attributes: { SentTimestamp: expect.any(String) },
      });
      const failing = event.Records.filter(
        (r: { body: string }) => r.body === 'b' && seen.filter((s) => s.body === 'b').length < 2,
      );
      return {
        batchItemFailures: failing.map((r: { messageId: string }) => ({ itemIdentifier: r.messageId })),
      };
    });
    sqs.send('work', 'a');
    sqs.send('work', 'b');

    await eventually(
      () => seen.filter((s) => s.body === 'b').length === 2 && sqs.messagesOf('work').length === 0,
      {
        what: 'b handled on its second receive',
      },
    );
    await close();

    expect(seen.filter((s) => s.body === 'a')).toEqual([{ body: 'a', receiveCount: '1' }]);
    expect(seen.filter((s) => s.body === 'b').map((s) => s.receiveCount)).toEqual(['1', '2']);
    expect(errors).toEqual([]);
  });

  it('keeps the whole batch when the function fails or answers an invalid batch response, until the queue dead-letters it', async () => {
    const received: string[][] = [];
    const { sqs, errors, close } = mapping(async (event) => {
      received.push(bodies(event));
      if (received.length === 1) throw new Error('crashed');
      return { batchItemFailures: [{ itemIdentifier: 'not-in-the-batch' }] };
    });
    sqs.send('work', 'c');

    // Received twice, its maximum receive count: the third receive moves it to the dead-letter queue.
    await eventually(() => sqs.messagesOf('dead').length === 1, { what: 'c dead-lettered' });
    await close();

    expect(received).toEqual([['c'], ['c']]);
    expect(sqs.messagesOf('dead')[0]?.body).toBe('c');
    expect(errors).toEqual([
      'consumer failed on a batch of work: Error: crashed',
      expect.stringMatching(/^consumer answered an invalid batch response/),
    ]);
  });

  it('does not poll a queue the function’s role may not receive from', async () => {
    let invoked = false;
    const { sqs, errors, close } = mapping(async () => {
      invoked = true;
    }, 'sqs:ReceiveMessage');
    sqs.send('work', 'd');

    await close();

    expect(invoked).toBe(false);
    expect(sqs.messagesOf('work')).toHaveLength(1);
    expect(errors).toEqual(['consumer may not poll work: no sqs:ReceiveMessage']);
  });
});
