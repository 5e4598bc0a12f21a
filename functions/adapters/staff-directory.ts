import {
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  type CognitoIdentityProviderClient,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { StaffDirectory } from '../core/ports.ts';
import type { StaffGroup } from '../core/vocabulary.ts';

const AGENTS: StaffGroup = 'agents';

/**
 * The people of the Cognito user pool, looked up by their `sub` (which Cognito takes for the username, as
 * the pool's username is no alias): enabled, and in the `agents` group. A user deleted is no agent either.
 */
export function makeStaffDirectory(
  client: CognitoIdentityProviderClient,
  userPoolId: () => string,
): StaffDirectory {
  return {
    async isAgent(userId) {
      const key = { UserPoolId: userPoolId(), Username: userId };
      try {
        const user = await client.send(new AdminGetUserCommand(key));
        if (!user.Enabled) return false;
        // A person is in a handful of groups: the first page (up to 60) holds them all.
        const { Groups } = await client.send(new AdminListGroupsForUserCommand({ ...key, Limit: 60 }));
        return (Groups ?? []).some((group) => group.GroupName === AGENTS);
      } catch (err) {
        if (err instanceof UserNotFoundException) return false;
        throw err;
      }
    },
  };
}
