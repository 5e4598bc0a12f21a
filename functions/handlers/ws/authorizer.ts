import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { makeJwtVerifier } from '../../adapters/jwt-verifier.ts';
import { ENV } from '../catalog.ts';
import { requireEnv } from '../shared/config.ts';
import { logger } from '../shared/logger.ts';

const verify = makeJwtVerifier(() => ({
  jwksUrl: requireEnv(ENV.jwksUrl),
  issuer: requireEnv(ENV.jwtIssuer),
  ...(process.env[ENV.jwtAudience] ? { audience: process.env[ENV.jwtAudience] } : {}),
}));

/**
 * $connect authorizer: the agent's JWT comes as `?token=` (browsers cannot set headers on a WebSocket).
 * A valid token's `sub` becomes the agent id every later message is attributed to. API Gateway answers
 * 401 when we throw "Unauthorized".
 */
export const handler = async (
  event: APIGatewayRequestAuthorizerEvent,
): Promise<APIGatewayAuthorizerResult> => {
  const token = event.queryStringParameters?.token;
  if (!token) throw new Error('Unauthorized');
  try {
    const { agentId } = await verify(token);
    return {
      principalId: agentId,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
      },
      context: { agentId },
    };
  } catch (err) {
    logger.info('socket refused', { reason: (err as Error).message });
    throw new Error('Unauthorized');
  }
};
