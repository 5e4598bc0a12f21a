import { randomBytes } from 'node:crypto';
import {
  type AccessResource,
  type FunctionEntry,
  type Permission,
  permissionsOf,
  type QueueKey,
  type TableKey,
} from '../functions/manifest/index.ts';

/**
 * `ws/accept` → `ws-accept`: the function's name, in its context and its log lines, and the access key its
 * credentials carry.
 */
export function functionNameOf(entry: Pick<FunctionEntry, 'handler'>): string {
  return entry.handler.replace(/[^\w-]+/g, '-').replace(/^-+/, '');
}

/** The operator's key (the runtime itself, tests, scripts): every action, like an account's admin role. */
export const OPERATOR_ACCESS_KEY = 'local';

export interface GrantsOptions {
  functions: readonly FunctionEntry[];
  /** Table name → its key in the manifest. */
  tables: Record<string, TableKey>;
  /** Queue name → its key in the manifest. */
  queues: Record<string, QueueKey>;
  stateMachineArn: string;
  eventBusName: string;
  userPoolId: string;
  account: string;
  /** Told of every action refused to a function: a grant its catalog entry is missing. */
  onRefused: (message: string) => void;
}

/** A refusal in AWS's terms: the error type the SDK turns into an exception, and its message. */
export interface Refusal {
  type: 'AccessDeniedException' | 'UnrecognizedClientException' | 'MissingAuthenticationTokenException';
  message: string;
}

/**
 * IAM on one machine: each function of the catalog signs its AWS calls with credentials of its own, and
 * the local endpoints refuse every action its catalog access does not grant (functions/manifest/access.ts),
 * as AWS refuses what a function's role does not allow. So a missing grant fails a local test exactly as it
 * would fail after `cdk deploy`. Signatures are not verified: the functions' requests reach the endpoints in
 * process, and their port listens on loopback only.
 */
export function createGrants(options: GrantsOptions) {
  const secret = randomBytes(24).toString('base64url');
  const callers = new Map(
    options.functions.map((entry) => [
      functionNameOf(entry),
      { name: functionNameOf(entry), permissions: permissionsOf(entry.access) },
    ]),
  );

  /** A queue named by URL (`…/<account>/<name>`) or ARN, in the manifest's terms (an unknown one as named). */
  const queue = (urlOrArn: unknown) => {
    const text = String(urlOrArn);
    const name = text.split(/[/:]/).at(-1) ?? '';
    const account = text.split(/[/:]/).at(-2);
    const key = Object.hasOwn(options.queues, name) ? options.queues[name] : undefined;
    return key && account === options.account ? `queue:${key}` : text;
  };

  /**
   * What a request needs, action by action, on the stack resources it names, in the manifest's terms (an
   * unknown resource by its own name): mostly its own action, but a message move task runs with its
   * starter's rights, so starting one needs those of receiving from the source and sending to the
   * destination too (SQS's dead-letter queue redrive permissions).
   */
  function requirementsOf(action: string, body: Record<string, unknown>): [string, string][] {
    if (action === 'sqs:StartMessageMoveTask') {
      const source = queue(body.SourceArn);
      return [
        ...[
          'sqs:StartMessageMoveTask',
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
        ].map((needed): [string, string] => [needed, source]),
        ['sqs:SendMessage', queue(body.DestinationArn)],
      ];
    }
    return resourcesOf(action, body).map((resource): [string, string] => [action, resource]);
  }

  /** The stack resources a request names, in the manifest's terms (an unknown one by its own name). */
  function resourcesOf(action: string, body: Record<string, unknown>): string[] {
    const [service, operation = ''] = action.split(':');
    const table = (name: unknown) => {
      const key = Object.hasOwn(options.tables, String(name)) ? options.tables[String(name)] : undefined;
      return key ? `table:${key}` : `table/${String(name)}`;
    };
    switch (service) {
      case 'sqs':
        return [queue(operation.endsWith('MessageMoveTasks') ? body.SourceArn : body.QueueUrl)];
      case 'dynamodb':
        return body.TableName !== undefined
          ? [table(body.TableName)]
          : Object.keys((body.RequestItems as object | undefined) ?? {}).map(table);
      case 'states': {
        if (operation.startsWith('SendTask')) return ['*'];
        const arn = String(body.stateMachineArn ?? body.executionArn ?? '');
        const machine = arn.replace(/:execution:([^:]+):[^:]+$/, ':stateMachine:$1');
        return [machine === options.stateMachineArn ? 'stateMachine' : arn];
      }
      case 'events': {
        const entries = Array.isArray(body.Entries) ? (body.Entries as { EventBusName?: string }[]) : [];
        return entries.map((e) => {
          const bus = e.EventBusName ?? 'default';
          return bus === options.eventBusName || bus.endsWith(`:event-bus/${options.eventBusName}`)
            ? 'eventBus'
            : bus;
        });
      }
      case 'execute-api':
        return ['connections'];
      case 'cognito-idp':
        return [body.UserPoolId === options.userPoolId ? 'userPool' : String(body.UserPoolId)];
      default:
        return [action];
    }
  }

  const allows = (permissions: readonly Permission[], action: string, resource: string) =>
    permissions.some(
      (p) =>
        p.actions.includes(action) && (p.resource === '*' || p.resource === (resource as AccessResource)),
    );

  /**
   * Whether the signer of a request (its `Authorization` header) may perform `action` (`dynamodb:GetItem`)
   * with this request body; the refusal AWS would answer when not. The operator's requests are not parsed.
   */
  function authorize(
    authorization: string | undefined,
    action: string,
    body: () => unknown,
  ): Refusal | undefined {
    const accessKey = /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
    if (!accessKey) {
      return {
        type: 'MissingAuthenticationTokenException',
        message: 'Request is missing Authentication Token',
      };
    }
    if (accessKey === OPERATOR_ACCESS_KEY) return undefined;
    const caller = callers.get(accessKey);
    if (!caller) {
      return {
        type: 'UnrecognizedClientException',
        message: 'The security token included in the request is invalid.',
      };
    }
    const parsed = body();
    const request = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    const refused = requirementsOf(action, request).find(([a, r]) => !allows(caller.permissions, a, r));
    if (refused === undefined) return undefined;
    const [needed, resource] = refused;
    const role = `arn:aws:sts::${options.account}:assumed-role/${caller.name}-role/${caller.name}`;
    const message = `User: ${role} is not authorized to perform: ${needed} on resource: ${resource} because no identity-based policy allows the ${needed} action`;
    options.onRefused(message);
    return { type: 'AccessDeniedException', message };
  }

  return {
    authorize,

    /**
     * Whether a function's role allows it `action` with this request, for what AWS does with the role
     * itself (Lambda's event source mapping polls a queue with it).
     */
    authorizeFunction(entry: FunctionEntry, action: string, body: unknown): Refusal | undefined {
      return authorize(`Credential=${functionNameOf(entry)}/`, action, () => body);
    },

    /** The credentials a function's environment carries: its name as the access key. */
    credentialsOf(entry: FunctionEntry): Record<string, string> {
      return { AWS_ACCESS_KEY_ID: functionNameOf(entry), AWS_SECRET_ACCESS_KEY: secret };
    },
  };
}
