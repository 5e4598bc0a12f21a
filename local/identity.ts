import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import type { StaffGroup } from '../functions/manifest/index.ts';

export const LOCAL_AUDIENCE = 'call-resiliency-local';
/** The dev issuer's name in its tokens (`iss`); Cognito's is its user pool URL. */
const LOCAL_ISSUER = 'call-resiliency-local-dev-issuer';

/**
 * A claim as an HTTP API's JWT authorizer hands it to the function: every value a string, an array as its
 * items between brackets, separated by spaces (`cognito:groups` → `"[agents supervisors]"`).
 */
function claimText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(claimText).join(' ')}]`;
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/**
 * A development token issuer standing in for Cognito: RS256 tokens whose `sub` is the person (an agent's
 * id) and whose `cognito:groups` are their groups (absent for someone in no group, as Cognito does), and
 * the JWKS to verify them. The WebSocket authorizer verifies them exactly as it verifies Cognito's on AWS,
 * and `httpClaims` does what the HTTP API's JWT authorizer does.
 */
export async function createDevIdentity() {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'local-1', alg: 'RS256', use: 'sig' };
  const jwks = { keys: [jwk] };
  const keySet = createLocalJWKSet(jwks);
  return {
    issuer: LOCAL_ISSUER,
    jwks,
    async issue(
      agentId: string,
      ttlSeconds = 12 * 3600,
      groups: readonly StaffGroup[] = ['agents'],
    ): Promise<string> {
      return new SignJWT({ token_use: 'id', ...(groups.length ? { 'cognito:groups': [...groups] } : {}) })
        .setProtectedHeader({ alg: 'RS256', kid: 'local-1' })
        .setSubject(agentId)
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(privateKey);
    },
    /**
     * The HTTP API's JWT authorizer: the `Authorization` header's token (with or without `Bearer `) checked
     * for its key, RS256 signature, issuer, audience (`aud`, or `client_id` for an access token) and times.
     * The claims as API Gateway passes them on, or undefined: a 401 before any function runs.
     */
    async httpClaims(authorization: string | undefined): Promise<Record<string, string> | undefined> {
      const token = authorization?.replace(/^Bearer\s+/i, '').trim();
      if (!token) return undefined;
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keySet, { issuer: LOCAL_ISSUER, algorithms: ['RS256'] }));
      } catch {
        return undefined;
      }
      const audiences = [payload.aud, payload.client_id].flat();
      if (!audiences.includes(LOCAL_AUDIENCE)) return undefined;
      return Object.fromEntries(Object.entries(payload).map(([name, value]) => [name, claimText(value)]));
    },
  };
}

export type DevIdentity = Awaited<ReturnType<typeof createDevIdentity>>;
