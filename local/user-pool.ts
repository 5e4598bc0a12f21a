import type { StaffGroup } from '../functions/manifest/index.ts';
import { type AwsService, jsonProtocolService } from './aws-endpoint.ts';

/** The local user pool's id, as Cognito names pools (`<region>_<id>`). */
export const LOCAL_USER_POOL_ID = 'us-east-1_local';

interface User {
  enabled: boolean;
  groups: StaffGroup[];
}

type Answer = { status: number; body: unknown };
const error = (type: string, message: string): Answer => ({ status: 400, body: { __type: type, message } });

/**
 * Cognito's user pool on one machine, as far as the product reads it: people by their `sub`, enabled or
 * not, and their groups. The dev issuer (`POST /dev/token`) signs a person in: it adds them, or sets the
 * groups asked for, and refuses someone disabled, as Cognito would. `PUT /dev/users/{id}` is what an admin
 * does in the console (disable, change groups). The sweep reads it through the local AWS endpoint with
 * `ListUsersInGroup`, checked against its grants like any other action (`AdminGetUser` and
 * `AdminListGroupsForUser` answer too, for an operator's script).
 */
export function createLocalUserPool() {
  const users = new Map<string, User>();
  const userPool = (body: Record<string, unknown>) => body.UserPoolId === LOCAL_USER_POOL_ID;

  return {
    id: LOCAL_USER_POOL_ID,
    /** Signs a person in with these groups; undefined if they are disabled. */
    signIn(userId: string, groups: readonly StaffGroup[]): User | undefined {
      const user = users.get(userId);
      if (user && !user.enabled) return undefined;
      const signedIn = { enabled: true, groups: [...groups] };
      users.set(userId, signedIn);
      return signedIn;
    },
    /** An admin's change to a person (added if unknown): enabled or disabled, and their groups. */
    update(userId: string, change: Partial<User>): User {
      const user = { enabled: true, groups: [], ...users.get(userId), ...change };
      users.set(userId, user);
      return user;
    },
    async handle(operation: string, body: Record<string, unknown>): Promise<Answer> {
      if (!userPool(body))
        return error('ResourceNotFoundException', `User pool ${String(body.UserPoolId)} does not exist.`);
      const username = String(body.Username ?? '');
      const user = users.get(username);
      switch (operation) {
        case 'AdminGetUser':
          if (!user) return error('UserNotFoundException', 'User does not exist.');
          return {
            status: 200,
            body: {
              Username: username,
              Enabled: user.enabled,
              UserStatus: 'CONFIRMED',
              UserAttributes: [{ Name: 'sub', Value: username }],
            },
          };
        case 'ListUsersInGroup': {
          // One page, as Cognito pages it (Limit up to 60, NextToken the next one's first index).
          const members = [...users].filter(([, u]) =>
            u.groups.includes(String(body.GroupName) as StaffGroup),
          );
          const start = Number(body.NextToken ?? 0);
          const limit = Math.min(Number(body.Limit ?? 60), 60);
          const page = members.slice(start, start + limit);
          return {
            status: 200,
            body: {
              Users: page.map(([sub, u]) => ({
                Username: sub,
                Enabled: u.enabled,
                UserStatus: 'CONFIRMED',
                Attributes: [{ Name: 'sub', Value: sub }],
              })),
              ...(start + limit < members.length ? { NextToken: String(start + limit) } : {}),
            },
          };
        }
        case 'AdminListGroupsForUser':
          if (!user) return error('UserNotFoundException', 'User does not exist.');
          return {
            status: 200,
            body: { Groups: user.groups.map((GroupName) => ({ GroupName, UserPoolId: LOCAL_USER_POOL_ID })) },
          };
        default:
          return error('UnknownOperationException', `${operation} is not emulated`);
      }
    },
  };
}

export type LocalUserPool = ReturnType<typeof createLocalUserPool>;

/** The local user pool as a service of the local AWS endpoint (`AWSCognitoIdentityProviderService.<operation>`). */
export function userPoolService(pool: LocalUserPool): { iam: string; handle: AwsService } {
  return jsonProtocolService('cognito-idp', '1.1', (operation, body) =>
    pool.handle(operation, JSON.parse(body || '{}')),
  );
}
