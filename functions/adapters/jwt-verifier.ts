import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { AgentTokens, VerifiedToken } from '../core/ports.ts';

export interface JwtVerifierOptions {
  jwksUrl: string;
  issuer: string;
  /** Checked against `aud` (ID tokens) or `client_id` (Cognito access tokens) when set. */
  audience?: string;
}

/**
 * Verifies agent tokens against a JWKS: Cognito's on AWS, the dev issuer's locally. The key set is fetched
 * once and cached by jose (refetched on an unknown key id, so key rotation just works).
 */
export function makeJwtVerifier(options: () => JwtVerifierOptions): AgentTokens {
  let jwks: { url: string; keys: ReturnType<typeof createRemoteJWKSet> } | undefined;
  async function verify(token: string): Promise<VerifiedToken> {
    const { jwksUrl, issuer, audience } = options();
    if (jwks?.url !== jwksUrl) jwks = { url: jwksUrl, keys: createRemoteJWKSet(new URL(jwksUrl)) };
    const { payload } = await jwtVerify(token, jwks.keys, { issuer, algorithms: ['RS256'] });
    if (audience && payload.aud !== audience && payload.client_id !== audience) {
      if (!(Array.isArray(payload.aud) && payload.aud.includes(audience)))
        throw new Error('token audience mismatch');
    }
    if (!payload.sub) throw new Error('token has no subject');
    const groups = payload['cognito:groups'];
    return {
      agentId: payload.sub,
      groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
      ...(payload.exp !== undefined ? { expiresAt: new Date(payload.exp * 1000).toISOString() } : {}),
    };
  }
  return { verify };
}
