import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type { StaffGroup } from '../functions/manifest/index.ts';

export const LOCAL_AUDIENCE = 'call-resiliency-local';
/** The dev issuer's name in its tokens (`iss`); Cognito's is its user pool URL. */
const LOCAL_ISSUER = 'call-resiliency-local-dev-issuer';

/**
 * A development token issuer standing in for Cognito: RS256 tokens whose `sub` is the agent id and whose
 * `cognito:groups` are the person's groups, and the JWKS to verify them. The authorizer verifies them
 * exactly as it verifies Cognito's on AWS.
 */
export async function createDevIdentity() {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'local-1', alg: 'RS256', use: 'sig' };
  return {
    issuer: LOCAL_ISSUER,
    jwks: { keys: [jwk] },
    async issue(
      agentId: string,
      ttlSeconds = 12 * 3600,
      groups: readonly StaffGroup[] = ['agents'],
    ): Promise<string> {
      return new SignJWT({ token_use: 'id', 'cognito:groups': [...groups] })
        .setProtectedHeader({ alg: 'RS256', kid: 'local-1' })
        .setSubject(agentId)
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(privateKey);
    },
  };
}

export type DevIdentity = Awaited<ReturnType<typeof createDevIdentity>>;
