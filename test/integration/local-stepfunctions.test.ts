import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createLocalStepFunctions,
  type LocalStepFunctions,
  type LocalStepFunctionsOptions,
} from '../../local/stepfunctions/index.ts';

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:RouteCall';
const TASK_STATES = [
  'OfferToAgent',
  'WaitForAgent',
  'RecordMissedOffer',
  'CreateInteraction',
  'InteractionDeferred',
  'Overflow',
] as const;
type TaskState = (typeof TASK_STATES)[number];
type Task = (payload: unknown) => Promise<unknown>;
type ExecutionEnd = Parameters<NonNullable<LocalStepFunctionsOptions['onExecutionEnd']>>[0];

const definition: unknown = JSON.parse(
  readFileSync(new URL('../../statemachines/route-call.asl.json', import.meta.url), 'utf8'),
);

interface Local {
  client: SFNClient;
  service: LocalStepFunctions;
  /** Payloads each task function received, in order. */
  calls: Record<TaskState, unknown[]>;
  ended: ExecutionEnd[];
}

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

/** The service behind a real HTTP endpoint; tasks not given just succeed with an empty object. */
async function startLocal(
  tasks: Partial<Record<TaskState, (payload: unknown, local: Local) => Promise<unknown>>> = {},
  { dataDir }: { dataDir?: string } = {},
) {
  const calls = Object.fromEntries(TASK_STATES.map((name) => [name, []])) as unknown as Local['calls'];
  const ended: ExecutionEnd[] = [];
  const local = { calls, ended } as Local;
  const taskFunctions: Record<string, Task> = {};
  for (const name of TASK_STATES) {
    taskFunctions[name] = async (payload) => {
      calls[name].push(payload);
      const task = tasks[name];
      return task ? task(payload, local) : {};
    };
  }
  local.service = createLocalStepFunctions({
    definition,
    stateMachineArn: STATE_MACHINE_ARN,
    tasks: taskFunctions,
    onExecutionEnd: (end) => ended.push(end),
    ...(dataDir
      ? { dataDir, onError: (message: string) => ended.push({ error: message } as ExecutionEnd) }
      : {}),
  });

  const server = createServer(async (request, response) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of request) {
        chunks.push(chunk as Buffer);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = target.startsWith('AWSStepFunctions.')
        ? target.slice('AWSStepFunctions.'.length)
        : target;
      const reply = await local.service.handle(operation, text === '' ? {} : JSON.parse(text));
      response.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify(reply.body));
    } catch (error) {
      response.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify({ __type: 'InternalFailure', message: String(error) }));
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  local.client = new SFNClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

  cleanups.push(async () => {
    local.client.destroy();
    await local.service.close();
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  });
  return local;
}

function callInput(
  callId: string,
  overrides: { offerTimeoutSeconds?: number; maxQueueSeconds?: number } = {},
) {
  return JSON.stringify({ callId, route: 0, offerTimeoutSeconds: 30, maxQueueSeconds: 60, ...overrides });
}

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}`);
    }
    await delay(20);
  }
}

/** The task token the `n`th invocation (1-based) of a waitForTaskToken state received. */
function taskToken(local: Local, state: TaskState, n: number): Promise<string> {
  return waitFor(`invocation ${n} of ${state}`, () => {
    const payload = local.calls[state][n - 1] as { taskToken?: string } | undefined;
    return payload?.taskToken;
  });
}

function describeExecution(local: Local, executionArn: string | undefined) {
  return local.client.send(new DescribeExecutionCommand({ executionArn }));
}

function finished(local: Local, executionArn: string | undefined): Promise<DescribeExecutionCommandOutput> {
  return waitFor(
    'the execution to end',
    async () => {
      const execution = await describeExecution(local, executionArn);
      return execution.status === 'RUNNING' ? undefined : execution;
    },
    8000,
  );
}

async function startCall(local: Local, callId: string, input = callInput(callId)) {
  const { executionArn } = await local.client.send(
    new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name: callId, input }),
  );
  return executionArn;
}

function deferred() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { released, release };
}

describe('local Step Functions service', () => {
  it('runs an accepted offer on to CreateInteraction and the execution succeeds', async () => {
    const local = await startLocal();
    const executionArn = await startCall(local, 'call-accepted');
    expect(executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:RouteCall:call-accepted');

    const token = await taskToken(local, 'OfferToAgent', 1);
    expect(local.calls.OfferToAgent[0]).toEqual({ callId: 'call-accepted', route: 0, taskToken: token });
    await local.client.send(
      new SendTaskSuccessCommand({ taskToken: token, output: '{"agentId":"agent-7"}' }),
    );

    const execution = await finished(local, executionArn);
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.startDate).toBeInstanceOf(Date);
    expect(execution.stopDate).toBeInstanceOf(Date);
    expect(JSON.parse(execution.output ?? 'null')).toEqual({
      callId: 'call-accepted',
      route: 0,
      offerTimeoutSeconds: 30,
      maxQueueSeconds: 60,
      offer: { agentId: 'agent-7' },
    });
    expect(local.calls.CreateInteraction).toEqual([{ callId: 'call-accepted', route: 0 }]);
    expect(local.ended).toEqual([
      {
        executionArn,
        name: 'call-accepted',
        status: 'SUCCEEDED',
        output: JSON.parse(execution.output ?? 'null'),
      },
    ]);
  });

  it('offers the call again through OfferToAgent when SendTaskFailure reports OfferRejected', async () => {
    const local = await startLocal();
    const executionArn = await startCall(local, 'call-rejected');

    const first = await taskToken(local, 'OfferToAgent', 1);
    await local.client.send(
      new SendTaskFailureCommand({ taskToken: first, error: 'OfferRejected', cause: 'agent declined' }),
    );
    const second = await taskToken(local, 'OfferToAgent', 2);
    expect(second).not.toBe(first);
    await local.client.send(
      new SendTaskSuccessCommand({ taskToken: second, output: '{"agentId":"agent-2"}' }),
    );

    const execution = await finished(local, executionArn);
    expect(execution.status).toBe('SUCCEEDED');
    expect(local.calls.OfferToAgent).toHaveLength(2);
    expect(JSON.parse(execution.output ?? 'null')).toMatchObject({
      lastError: { Error: 'OfferRejected', Cause: 'agent declined' },
      offer: { agentId: 'agent-2' },
    });
  });

  it('runs RecordMissedOffer when an offer is not answered within offerTimeoutSeconds', async () => {
    const local = await startLocal({ RecordMissedOffer: async () => ({ outcome: 'ended' }) });
    const executionArn = await startCall(
      local,
      'call-missed',
      callInput('call-missed', { offerTimeoutSeconds: 1 }),
    );

    const execution = await finished(local, executionArn);
    expect(execution.status).toBe('SUCCEEDED');
    expect(local.calls.OfferToAgent).toHaveLength(1);
    expect(local.calls.RecordMissedOffer).toEqual([{ callId: 'call-missed', route: 0 }]);
    expect(local.calls.CreateInteraction).toEqual([]);
    expect(JSON.parse(execution.output ?? 'null')).toMatchObject({
      lastError: { Error: 'States.Timeout' },
      missed: { outcome: 'ended' },
    });
  });

  it('accepts a SendTaskSuccess that a task sends for its own token during its invocation', async () => {
    const local = await startLocal({
      OfferToAgent: async (payload, self) => {
        const { taskToken: token } = payload as { taskToken: string };
        await self.client.send(
          new SendTaskSuccessCommand({ taskToken: token, output: '{"agentId":"self"}' }),
        );
        return {};
      },
    });
    const executionArn = await startCall(local, 'call-self');

    const execution = await finished(local, executionArn);
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output ?? 'null')).toMatchObject({ offer: { agentId: 'self' } });
    expect(local.calls.CreateInteraction).toEqual([{ callId: 'call-self', route: 0 }]);
  });

  it('refuses a SendTaskSuccess that arrives after the offer timed out with TaskTimedOut', async () => {
    const gate = deferred();
    const local = await startLocal({
      RecordMissedOffer: async () => {
        await gate.released;
        return { outcome: 'ended' };
      },
    });
    cleanups.push(async () => gate.release());
    const executionArn = await startCall(
      local,
      'call-late',
      callInput('call-late', { offerTimeoutSeconds: 1 }),
    );
    const token = await taskToken(local, 'OfferToAgent', 1);
    await waitFor('RecordMissedOffer to run', () => local.calls.RecordMissedOffer[0]);

    // Still RUNNING: the token closed with its state, not with the execution.
    expect((await describeExecution(local, executionArn)).status).toBe('RUNNING');
    await expect(
      local.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"agentId":"late"}' })),
    ).rejects.toMatchObject({ name: 'TaskTimedOut' });
    await expect(local.client.send(new SendTaskHeartbeatCommand({ taskToken: token }))).rejects.toMatchObject(
      {
        name: 'TaskTimedOut',
      },
    );

    gate.release();
    const execution = await finished(local, executionArn);
    expect(execution.status).toBe('SUCCEEDED');
    expect(local.calls.CreateInteraction).toEqual([]);
  });

  it('accepts SendTaskHeartbeat for a pending token and refuses a token it never issued with InvalidToken', async () => {
    const local = await startLocal();
    await startCall(local, 'call-heartbeat');
    const token = await taskToken(local, 'OfferToAgent', 1);

    await expect(
      local.client.send(new SendTaskHeartbeatCommand({ taskToken: token })),
    ).resolves.toBeDefined();
    await expect(
      local.client.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' })),
    ).rejects.toMatchObject({ name: 'InvalidToken' });
    await expect(
      local.client.send(new SendTaskFailureCommand({ taskToken: 'not-a-token', error: 'OfferRejected' })),
    ).rejects.toMatchObject({ name: 'InvalidToken' });
  });

  it('refuses a token that was already completed with TaskTimedOut', async () => {
    const local = await startLocal();
    const executionArn = await startCall(local, 'call-twice');
    const token = await taskToken(local, 'OfferToAgent', 1);

    await local.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"agentId":"a"}' }));
    await expect(
      local.client.send(new SendTaskFailureCommand({ taskToken: token, error: 'OfferRejected' })),
    ).rejects.toMatchObject({ name: 'TaskTimedOut' });
    expect((await finished(local, executionArn)).status).toBe('SUCCEEDED');
  });

  it('returns the same execution for a repeated StartExecution while it runs and refuses other input', async () => {
    const local = await startLocal();
    const input = callInput('call-dup');
    const first = await local.client.send(
      new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name: 'call-dup', input }),
    );
    const again = await local.client.send(
      new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name: 'call-dup', input }),
    );
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(first.startDate);

    await expect(
      local.client.send(
        new StartExecutionCommand({
          stateMachineArn: STATE_MACHINE_ARN,
          name: 'call-dup',
          input: callInput('call-dup', { maxQueueSeconds: 5 }),
        }),
      ),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });

    await local.client.send(new StopExecutionCommand({ executionArn: first.executionArn }));
    await expect(
      local.client.send(
        new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name: 'call-dup', input }),
      ),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    expect(local.calls.OfferToAgent).toHaveLength(1);
  });

  it('parks the call in WaitForAgent when OfferToAgent throws NoAgentAvailable', async () => {
    const local = await startLocal({
      OfferToAgent: async (_payload, self) => {
        if (self.calls.OfferToAgent.length === 1) {
          const error = new Error('nobody is available');
          error.name = 'NoAgentAvailable';
          throw error;
        }
        return {};
      },
    });
    const executionArn = await startCall(local, 'call-queued');

    const waitToken = await taskToken(local, 'WaitForAgent', 1);
    expect(local.calls.WaitForAgent[0]).toEqual({ callId: 'call-queued', route: 0, taskToken: waitToken });
    await local.client.send(new SendTaskSuccessCommand({ taskToken: waitToken, output: '{}' }));
    const offerToken = await taskToken(local, 'OfferToAgent', 2);
    await local.client.send(new SendTaskSuccessCommand({ taskToken: offerToken, output: '{"agentId":"a"}' }));

    const execution = await finished(local, executionArn);
    expect(execution.status).toBe('SUCCEEDED');
    const output = JSON.parse(execution.output ?? 'null');
    expect(output.lastError.Error).toBe('NoAgentAvailable');
    // Shaped like a failed Lambda invoke: the cause is the Lambda error document.
    expect(JSON.parse(output.lastError.Cause)).toMatchObject({
      errorType: 'NoAgentAvailable',
      errorMessage: 'nobody is available',
    });
  });

  it('aborts the execution on StopExecution and invalidates its pending token', async () => {
    const local = await startLocal();
    const executionArn = await startCall(local, 'call-stopped');
    const token = await taskToken(local, 'OfferToAgent', 1);

    const { stopDate } = await local.client.send(
      new StopExecutionCommand({ executionArn, error: 'CallerHungUp', cause: 'the caller left' }),
    );
    expect(stopDate).toBeInstanceOf(Date);

    const execution = await describeExecution(local, executionArn);
    expect(execution).toMatchObject({ status: 'ABORTED', error: 'CallerHungUp', cause: 'the caller left' });
    await expect(
      local.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toMatchObject({ name: 'TaskTimedOut' });
    expect(local.ended).toEqual([
      {
        executionArn,
        name: 'call-stopped',
        status: 'ABORTED',
        error: 'CallerHungUp',
        cause: 'the caller left',
      },
    ]);
    expect(local.calls.CreateInteraction).toEqual([]);
  });

  it('lists the executions of the state machine, filtered by status', async () => {
    const local = await startLocal();
    const running = await startCall(local, 'call-running');
    const stopped = await startCall(local, 'call-aborted');
    await local.client.send(new StopExecutionCommand({ executionArn: stopped }));

    const all = await local.client.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN }));
    expect(all.executions?.map((execution) => execution.name)).toEqual(['call-aborted', 'call-running']);
    const onlyRunning = await local.client.send(
      new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN, statusFilter: 'RUNNING' }),
    );
    expect(onlyRunning.executions).toEqual([
      expect.objectContaining({
        executionArn: running,
        stateMachineArn: STATE_MACHINE_ARN,
        status: 'RUNNING',
        startDate: expect.any(Date),
      }),
    ]);
  });

  it('answers invalid requests with the AWS error codes', async () => {
    const local = await startLocal();
    await expect(
      local.client.send(
        new StartExecutionCommand({ stateMachineArn: `${STATE_MACHINE_ARN}Other`, input: callInput('x') }),
      ),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    await expect(
      local.client.send(
        new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, input: '{not json' }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
    await expect(
      describeExecution(local, 'arn:aws:states:us-east-1:000000000000:execution:RouteCall:nope'),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });

    await startCall(local, 'call-bad-output');
    const token = await taskToken(local, 'OfferToAgent', 1);
    await expect(
      local.client.send(new SendTaskSuccessCommand({ taskToken: token, output: 'not json' })),
    ).rejects.toMatchObject({ name: 'InvalidOutput' });

    expect(await local.service.handle('CreateStateMachine', {})).toEqual({
      status: 400,
      body: { __type: 'UnknownOperationException', message: expect.any(String) },
    });
  });

  it('refuses to start without a task function for every Task state', () => {
    expect(() =>
      createLocalStepFunctions({ definition, stateMachineArn: STATE_MACHINE_ARN, tasks: {} }),
    ).toThrow(/OfferToAgent/);
  });
});

describe('local Step Functions across a restart (with a data directory)', () => {
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'sfn-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };
  const saved = (dir: string) => readdirSync(join(dir, 'stepfunctions')).filter((f) => f.endsWith('.json'));

  it('takes up a waiting execution: the token handed out before the restart still answers it', async () => {
    const dir = dataDir();
    const before = await startLocal({}, { dataDir: dir });
    const executionArn = await startCall(before, 'call-restarted');
    const token = await taskToken(before, 'OfferToAgent', 1);
    await before.service.close();

    const after = await startLocal({}, { dataDir: dir });
    expect(await after.service.resume()).toBe(1);
    await after.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"agentId":"a-1"}' }));

    const execution = await finished(after, executionArn);
    expect(execution.status).toBe('SUCCEEDED');
    expect(after.calls.OfferToAgent).toEqual([]);
    expect(after.calls.CreateInteraction).toEqual([{ callId: 'call-restarted', route: 0 }]);
    expect(JSON.parse(execution.output ?? 'null')).toMatchObject({ offer: { agentId: 'a-1' } });
    await waitFor('the ended execution to leave the disk', () =>
      saved(dir).length === 0 ? true : undefined,
    );
  });

  it('answers StartExecution only once the execution is on disk', async () => {
    const dir = dataDir();
    const local = await startLocal({}, { dataDir: dir });
    const answer = await local.service.handle('StartExecution', {
      stateMachineArn: STATE_MACHINE_ARN,
      name: 'call-durable',
      input: callInput('call-durable'),
    });

    expect(answer.status).toBe(200);
    const [file] = saved(dir);
    expect(JSON.parse(readFileSync(join(dir, 'stepfunctions', file as string), 'utf8'))).toMatchObject({
      name: 'call-durable',
      stateInput: { callId: 'call-durable' },
    });
  });

  it('takes up a resumed wait again after a second restart, with the same token', async () => {
    const dir = dataDir();
    const first = await startLocal({}, { dataDir: dir });
    const executionArn = await startCall(first, 'call-twice');
    const token = await taskToken(first, 'OfferToAgent', 1);
    await first.service.close();

    const second = await startLocal({}, { dataDir: dir });
    expect(await second.service.resume()).toBe(1);
    // The library reports the state entered a little after the resumed task registers its token.
    await delay(100);
    await second.service.close();

    const third = await startLocal({}, { dataDir: dir });
    expect(await third.service.resume()).toBe(1);
    await third.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"agentId":"a-1"}' }));

    expect((await finished(third, executionArn)).status).toBe('SUCCEEDED');
    expect([...second.calls.OfferToAgent, ...third.calls.OfferToAgent]).toEqual([]);
  });

  it('times a resumed wait out at the deadline it had before the restart, not a full timeout later', async () => {
    const dir = dataDir();
    const before = await startLocal({}, { dataDir: dir });
    const started = Date.now();
    await startCall(before, 'call-deadline', callInput('call-deadline', { offerTimeoutSeconds: 3 }));
    await taskToken(before, 'OfferToAgent', 1);
    await delay(1_000);
    await before.service.close();

    const after = await startLocal(
      { RecordMissedOffer: async () => ({ outcome: 'ended' }) },
      { dataDir: dir },
    );
    await after.service.resume();
    await waitFor('RecordMissedOffer after the restart', () => after.calls.RecordMissedOffer[0], 4_000);
    const missedAfter = Date.now() - started;

    expect(missedAfter).toBeGreaterThanOrEqual(2_900);
    expect(missedAfter).toBeLessThan(3_900);
  });

  it('runs a state that was not waiting again after the restart, and ends the execution once', async () => {
    const dir = dataDir();
    const hang = deferred();
    const before = await startLocal(
      { CreateInteraction: () => hang.released.then(() => ({})) },
      { dataDir: dir },
    );
    const executionArn = await startCall(before, 'call-rerun');
    await before.client.send(
      new SendTaskSuccessCommand({ taskToken: await taskToken(before, 'OfferToAgent', 1), output: '{}' }),
    );
    await waitFor('CreateInteraction to start', () => before.calls.CreateInteraction[0]);
    await before.service.close();
    hang.release();

    const after = await startLocal({}, { dataDir: dir });
    await after.service.resume();

    expect((await finished(after, executionArn)).status).toBe('SUCCEEDED');
    expect(after.calls.CreateInteraction).toEqual([{ callId: 'call-rerun', route: 0 }]);
    expect(after.ended.filter((e) => e.executionArn === executionArn)).toHaveLength(1);
    await waitFor('the ended execution to leave the disk', () =>
      saved(dir).length === 0 ? true : undefined,
    );
  });

  it('keeps no execution to resume without a data directory, and aborts what runs when it closes', async () => {
    const local = await startLocal();
    const executionArn = await startCall(local, 'call-memory-only');
    await taskToken(local, 'OfferToAgent', 1);
    await local.service.close();

    expect(await local.service.resume()).toBe(0);
    expect(local.ended).toEqual([expect.objectContaining({ executionArn, status: 'ABORTED' })]);
  });
});

describe('local Step Functions over a long run', () => {
  it('forgets the oldest of more than a thousand ended executions, but still refuses their names', async () => {
    const local = await startLocal({
      OfferToAgent: async () => {
        const ended = new Error('the call ended');
        ended.name = 'CallEnded';
        throw ended;
      },
    });
    const arns: (string | undefined)[] = [];
    for (let i = 0; i < 1_010; i++) arns.push(await startCall(local, `call-long-${i}`));
    await waitFor('every execution to end', () => (local.ended.length >= 1_010 ? true : undefined), 20_000);
    await startCall(local, 'call-long-last');

    await expect(describeExecution(local, arns[0])).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    expect((await describeExecution(local, arns.at(-1))).status).toBe('SUCCEEDED');
    await expect(startCall(local, 'call-long-0')).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  }, 60_000);
});
