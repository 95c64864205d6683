import type { TenantStore } from '../../stores/tenants';
import { lru } from '../../stores/lru';
import { AppError } from '../errors';

/**
 * Whether a tenant is suspended, asked on every request and socket connect
 * of a tenant credential. Each process remembers the answer for `ttlMs`
 * (1 s by default), so the check costs one small read per tenant per second
 * at most, and a suspension takes effect on every node within that time
 * (at once on the node that suspended: it forgets its entry).
 */
export function tenantSuspension(
  tenants: Pick<TenantStore, 'suspendedAt'>,
  ttlMs = 1_000,
  now: () => number = Date.now,
) {
  const known = lru<{ suspended: boolean; until: number }>(10_000);

  async function isSuspended(tenantId: string): Promise<boolean> {
    const cached = known.get(tenantId);
    if (cached && cached.until > now()) return cached.suspended;
    // A tenant that does not exist (or no longer does) is not suspended: its
    // credentials reach routes that find nothing of it, as before.
    const suspended = Boolean(await tenants.suspendedAt(tenantId));
    known.set(tenantId, { suspended, until: now() + ttlMs });
    return suspended;
  }

  return {
    isSuspended,
    /** Throws the 403 every route answers for a suspended tenant's credential. */
    async refuse(tenantId: string): Promise<void> {
      if (await isSuspended(tenantId)) throw suspendedError(tenantId);
    },
    forget(tenantId: string): void {
      known.delete(tenantId);
    },
  };
}

export const suspendedError = (tenantId: string) =>
  new AppError(
    403,
    'tenant_suspended',
    `Tenant ${tenantId} is suspended: its credentials are refused`,
  );

export type TenantSuspension = ReturnType<typeof tenantSuspension>;
