import type { Db } from 'mongodb';
import type { ReceptionSettings, Tenant } from '../domain/tenant';
import { collections, type TenantDoc } from './collections';

function toTenant(doc: TenantDoc): Tenant {
  return {
    tenantId: doc._id,
    name: doc.name,
    reception: doc.reception,
    createdAt: doc.createdAt.toISOString(),
  };
}

export function tenantStore(db: Db) {
  const { tenants } = collections(db);
  return {
    async get(tenantId: string): Promise<Tenant | undefined> {
      const doc = await tenants.findOne({ _id: tenantId });
      return doc ? toTenant(doc) : undefined;
    },

    /** Creates the tenant if missing; an existing tenant is left exactly as it is. */
    async ensure(tenantId: string, name: string, reception: ReceptionSettings): Promise<Tenant> {
      await tenants.updateOne(
        { _id: tenantId },
        { $setOnInsert: { name, reception, createdAt: new Date() } },
        { upsert: true },
      );
      const doc = await tenants.findOne({ _id: tenantId });
      if (!doc) throw new Error(`tenant ${tenantId} vanished right after it was ensured`);
      return toTenant(doc);
    },
  };
}

export type TenantStore = ReturnType<typeof tenantStore>;
