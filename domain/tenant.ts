import type { Flow } from './flow';

/**
 * A tenant (merchant). Its reception flow lives with it until flows get
 * versions of their own (the tenant API); a session snapshots it at start.
 */
export interface Tenant {
  tenantId: string;
  name: string;
  flow: Flow;
  createdAt: string;
}
