import type { Flow } from './flow';

/**
 * A tenant (merchant) with its current reception flow (the newest of its
 * flow versions); a session snapshots it at start.
 */
export interface Tenant {
  tenantId: string;
  name: string;
  flow: Flow;
  /** 0 for a tenant whose flow predates versions. */
  flowVersion: number;
  createdAt: string;
  /** While set, the tenant is suspended: no credential of it is accepted, no chat opens. */
  suspendedAt?: string;
}
