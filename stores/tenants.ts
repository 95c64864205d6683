import type { Db } from 'mongodb';
import { flowSchema, type FlowInput } from '../domain/flow';
import type { Tenant } from '../domain/tenant';
import { collections, type TenantDoc } from './collections';

function toTenant(doc: TenantDoc): Tenant {
  return {
    tenantId: doc._id,
    name: doc.name,
    flow: flowSchema.parse(doc.flow ?? {}),
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

    /** Every tenant id, for the background routing healer. */
    async ids(): Promise<string[]> {
      const docs = await tenants.find({}, { projection: { _id: 1 } }).toArray();
      return docs.map((doc) => doc._id);
    },

    /** Creates the tenant if missing; an existing tenant is left exactly as it is. */
    async ensure(tenantId: string, name: string, flow: FlowInput = {}): Promise<Tenant> {
      await tenants.updateOne(
        { _id: tenantId },
        { $setOnInsert: { name, flow: flowSchema.parse(flow), createdAt: new Date() } },
        { upsert: true },
      );
      const doc = await tenants.findOne({ _id: tenantId });
      if (!doc) throw new Error(`tenant ${tenantId} vanished right after it was ensured`);
      return toTenant(doc);
    },
  };
}

export type TenantStore = ReturnType<typeof tenantStore>;
