import { randomUUID } from 'node:crypto';
import {
  anonymousPrefix,
  isAnonymousId,
  type IdentityKind,
  type ProfileClaims,
  type VisitorIdentity,
} from '../../domain/identity';
import { verifyIdentityHash, verifyIdentityToken } from '../../runtime/shopper-identity';
import {
  issueVisitorCredential,
  verifyVisitorCredential,
  type IssuedToken,
} from '../../runtime/tokens';
import type { IdentityStore } from '../../stores/identity';
import { AppError } from '../errors';

export interface IdentifyShopperDeps {
  identity: IdentityStore;
  tokenSecret: string;
  visitorCredentialTtlSeconds: number;
}

export interface IdentifiedShopper {
  visitorId: string;
  identity: IdentityKind;
  /** Profile claims of a verified identity JWT (empty for a hash or an anonymous shopper). */
  claims: ProfileClaims;
  /** For an anonymous shopper: the (renewed) credential the widget keeps to come back. */
  credential?: IssuedToken;
}

const invalid = (message: string) => new AppError(401, 'identity_invalid', message);

/**
 * Who is opening chat (DESIGN.md §7). A signed identity (hash or JWT) proves
 * a merchant's visitor id; a visitor credential proves an anonymous id the
 * engine made; with neither, the shopper is a new anonymous visitor and gets
 * a fresh id. A bare id is never enough, a signature never claims an
 * engine-made `anon-` id, and a credential only works in the tenant that
 * issued it. Refusals are 401s that name the problem, decided before
 * anything is written.
 */
export async function identifyShopper(
  deps: IdentifyShopperDeps,
  tenantId: string,
  visitor: VisitorIdentity = {},
): Promise<IdentifiedShopper> {
  if (visitor.hash !== undefined || visitor.token !== undefined) {
    return verified(deps, tenantId, visitor);
  }
  if (visitor.id !== undefined && visitor.credential === undefined) {
    throw new AppError(
      401,
      'identity_unverified',
      'visitor.id needs visitor.hash or visitor.token signed with the tenant’s identity secret; an anonymous shopper sends no id (or its visitor.credential)',
    );
  }
  if (await deps.identity.requiresVerified(tenantId)) {
    throw new AppError(
      403,
      'identity_required',
      'This tenant accepts verified shoppers only: send visitor.hash or visitor.token',
    );
  }
  const visitorId = visitor.credential
    ? returningAnonymous(deps, tenantId, visitor.credential, visitor.id)
    : `${anonymousPrefix}${randomUUID()}`;
  const credential = issueVisitorCredential(
    deps.tokenSecret,
    { tenantId, visitorId },
    deps.visitorCredentialTtlSeconds,
  );
  return { visitorId, identity: 'anonymous', claims: {}, credential };
}

async function verified(
  deps: IdentifyShopperDeps,
  tenantId: string,
  visitor: VisitorIdentity,
): Promise<IdentifiedShopper> {
  const secrets = await deps.identity.validSecrets(tenantId);
  if (secrets.length === 0) {
    throw invalid('This tenant has no identity secret yet, so no identity can be verified');
  }
  let visitorId: string;
  let claims: ProfileClaims = {};
  if (visitor.token !== undefined) {
    const checked = verifyIdentityToken(secrets, visitor.token);
    if (!checked.ok) throw invalid(`visitor.token: ${checked.detail}`);
    const { sub, name, email, phone, tags, attributes, externalIds } = checked.claims;
    if (visitor.id !== undefined && visitor.id !== sub) {
      throw invalid('visitor.id differs from the visitor.token’s sub');
    }
    visitorId = sub;
    claims = { name, email, phone, tags, attributes, externalIds };
  } else {
    visitorId = visitor.id ?? '';
    if (!verifyIdentityHash(secrets, visitorId, visitor.hash ?? '')) {
      throw invalid(
        'visitor.hash is not the HMAC-SHA256 of visitor.id with the tenant’s identity secret',
      );
    }
  }
  if (isAnonymousId(visitorId)) {
    throw invalid(
      `Ids starting with ${anonymousPrefix} are the engine’s anonymous ids; a signed identity cannot claim one`,
    );
  }
  return { visitorId, identity: 'verified', claims };
}

function returningAnonymous(
  deps: IdentifyShopperDeps,
  tenantId: string,
  credential: string,
  namedId: string | undefined,
): string {
  const claims = verifyVisitorCredential(deps.tokenSecret, credential);
  if (!claims) throw invalid('visitor.credential is invalid or expired');
  if (claims.tenantId !== tenantId) {
    throw invalid('visitor.credential belongs to another tenant');
  }
  if (namedId !== undefined && namedId !== claims.visitorId) {
    throw invalid('visitor.id differs from the visitor.credential’s visitor');
  }
  return claims.visitorId;
}
