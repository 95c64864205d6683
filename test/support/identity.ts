import type { Db } from 'mongodb';
import { identityHash, signIdentityToken } from '../../runtime/shopper-identity';
import { identityStore } from '../../stores/identity';
import { testSecret } from './stack';

/**
 * Shopper identities for tests, signed as a merchant's backend would sign
 * them. Every test tenant gets a known identity secret (engine.createTenant
 * installs it), so a test names a visitor by signing the id.
 */
export const identitySecretOf = (tenantId: string): string => `${testSecret}:identity:${tenantId}`;

/** Gives a tenant made outside engine.createTenant (e.g. through the API) its test identity secret. */
export async function installIdentitySecret(db: Db, tenantId: string): Promise<void> {
  await identityStore(db).install(tenantId, identitySecretOf(tenantId));
}

/** `visitor` of POST /api/v1/sessions for a verified shopper with this id. */
export function signedVisitor(tenantId: string, id: string): { id: string; hash: string } {
  return { id, hash: identityHash(identitySecretOf(tenantId), id) };
}

/** An identity JWT for `sub`, valid for ten minutes unless the claims say otherwise. */
export function identityToken(
  tenantId: string,
  claims: { sub: string } & Record<string, unknown>,
  secret = identitySecretOf(tenantId),
): string {
  const now = Math.floor(Date.now() / 1000);
  return signIdentityToken(secret, { iat: now, exp: now + 600, ...claims });
}
