import { ports } from '../shared/container.ts';
import { wsAuthorizer } from '../shared/ws.ts';

/** $connect authorizer: the agent's token (Cognito's on AWS, the dev issuer's locally) names the agent. */
export const handler = wsAuthorizer((token) => ports().agentTokens.verify(token));
