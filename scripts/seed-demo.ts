import type { Db } from 'mongodb';
import { defaultReceptionSettings } from '../domain/tenant';
import { tenantStore } from '../stores/tenants';

export const demoTenant = { tenantId: 'demo', name: 'Demo Shop' } as const;

/** Creates the demo tenant once; later runs leave it (and any edits) alone. */
export async function seedDemoTenant(db: Db) {
  return tenantStore(db).ensure(demoTenant.tenantId, demoTenant.name, defaultReceptionSettings);
}
