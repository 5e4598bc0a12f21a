import {
  type CognitoIdentityProviderClient,
  ListUsersInGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { StaffDirectory } from '../core/ports.ts';
import type { StaffGroup } from '../core/vocabulary.ts';

const AGENTS: StaffGroup = 'agents';

/**
 * The people of the Cognito user pool who may work as agents: the enabled members of the `agents` group, by
 * their `sub` (the agent id in their tokens). One paged `ListUsersInGroup` a sweep (60 people a page), rather
 * than two lookups per agent with a socket: a thousand agents cost 17 requests a minute, well inside
 * Cognito's quota for user reads.
 */
export function makeStaffDirectory(
  client: CognitoIdentityProviderClient,
  userPoolId: () => string,
): StaffDirectory {
  return {
    async agents() {
      const agents = new Set<string>();
      let NextToken: string | undefined;
      do {
        const page = await client.send(
          new ListUsersInGroupCommand({ UserPoolId: userPoolId(), GroupName: AGENTS, Limit: 60, NextToken }),
        );
        for (const user of page.Users ?? []) {
          const sub = user.Attributes?.find((a) => a.Name === 'sub')?.Value ?? user.Username;
          if (user.Enabled && sub) agents.add(sub);
        }
        NextToken = page.NextToken;
      } while (NextToken);
      return agents;
    },
  };
}
