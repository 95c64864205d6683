import type { RedisClient } from '../../runtime/connections';
import type { VerifiedAgentToken } from '../../runtime/tokens';
import { lru } from '../../stores/lru';
import type { StaffAccess, StaffStore } from '../../stores/staff';

/**
 * Whether a well-signed, unexpired staff token still holds: the account is
 * neither deactivated nor deleted, the token was issued after the account's
 * last "revoke all tokens", and it was not logged out. Checked on every HTTP
 * request with a staff token and on every socket connect; a connected
 * socket is not checked again per message (revocation disconnects it, see
 * access-revocation.ts).
 *
 * Each node keeps what it read from MongoDB for at most `ttlMs` (1 s), so
 * a busy console costs one read per agent per second per node, not one per
 * request. A revocation is published on a Redis channel and every node
 * forgets the account at once; the TTL bounds how long a lost publish
 * (Redis away) can keep a revoked token working.
 *
 * An account the engine has no record of (a token minted with the secret by
 * tooling, never through login) stands on its signature and expiry; a
 * deleted account keeps a tombstone, so its tokens are always refused.
 */
export const staffAccessChannel = 'reception:staff-access';

export interface StaffAccessDeps {
  staff: Pick<StaffStore, 'access'>;
  /** Tells every other node to forget an account (`<tenantId>\n<agentId>`). */
  publish: (payload: string) => Promise<unknown>;
  ttlMs?: number;
  now?: () => number;
}

const cacheKey = (tenantId: string, agentId: string) => `${tenantId}\n${agentId}`;

export function staffAccessCheck(deps: StaffAccessDeps) {
  const ttlMs = deps.ttlMs ?? 1_000;
  const now = deps.now ?? Date.now;
  const cache = lru<{ readAt: number; access: StaffAccess | undefined }>(10_000);
  /** Bumped by every forget: a read that started before one must not refill the cache. */
  let generation = 0;

  async function accessOf(
    tenantId: string,
    agentId: string,
    fresh: boolean,
  ): Promise<StaffAccess | undefined> {
    const key = cacheKey(tenantId, agentId);
    const cached = fresh ? undefined : cache.get(key);
    if (cached && now() - cached.readAt < ttlMs) return cached.access;
    const startedAt = now();
    const startedIn = generation;
    const access = await deps.staff.access(tenantId, agentId);
    if (startedIn === generation) cache.set(key, { readAt: startedAt, access });
    return access;
  }

  function forget(tenantId: string, agentId: string): void {
    generation++;
    cache.delete(cacheKey(tenantId, agentId));
  }

  return {
    /**
     * True when the token may act. `fresh` skips the cache (socket connects:
     * rare, and a socket lives long once accepted).
     */
    async allows(claims: VerifiedAgentToken, options: { fresh?: boolean } = {}): Promise<boolean> {
      const access = await accessOf(claims.tenantId, claims.agentId, options.fresh ?? false);
      if (!access) return true;
      if (access.closed) return false;
      if (access.tokensValidAfter !== undefined && claims.token.issuedAt <= access.tokensValidAfter)
        return false;
      return !access.revokedTokens.includes(claims.token.id);
    },

    /** The account's access changed: this node forgets it now, the others on the publish. */
    async changed(tenantId: string, agentId: string): Promise<void> {
      forget(tenantId, agentId);
      // Best effort: a node that misses it re-reads within the TTL anyway.
      await deps.publish(cacheKey(tenantId, agentId)).catch(() => undefined);
    },

    /** A change published by another node. */
    heard(payload: string): void {
      const [tenantId, agentId, ...rest] = payload.split('\n');
      if (tenantId === undefined || agentId === undefined || rest.length > 0) return;
      forget(tenantId, agentId);
    },
  };
}

export type StaffAccessCheck = ReturnType<typeof staffAccessCheck>;

/** Hands `check` every change other nodes publish, for as long as `sub` lives. */
export async function subscribeToStaffAccess(
  sub: RedisClient,
  check: StaffAccessCheck,
): Promise<void> {
  await sub.subscribe(staffAccessChannel, (payload: string) => check.heard(payload));
}
