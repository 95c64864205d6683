import type { Db } from 'mongodb';
import { flowSchema, type FlowInput } from '../domain/flow';
import type { Tenant } from '../domain/tenant';
import { collections, type TenantDoc } from './collections';
import { flowStore, type FlowVersion } from './flows';
import { isDuplicateKey } from './mongo-errors';

function toTenant(doc: TenantDoc, current: FlowVersion | undefined): Tenant {
  return {
    tenantId: doc._id,
    name: doc.name,
    // Tenants from before flow versions keep their flow in the tenant document.
    flow: current?.flow ?? flowSchema.parse(doc.flow ?? {}),
    flowVersion: current?.version ?? 0,
    createdAt: doc.createdAt.toISOString(),
  };
}

export function tenantStore(db: Db) {
  const { tenants } = collections(db);
  const flows = flowStore(db);
  return {
    /** The tenant with its current (newest) flow version. */
    async get(tenantId: string): Promise<Tenant | undefined> {
      const doc = await tenants.findOne({ _id: tenantId });
      return doc ? toTenant(doc, await flows.current(tenantId)) : undefined;
    },

    /** Every tenant id, for the background routing healer. */
    async ids(): Promise<string[]> {
      const docs = await tenants.find({}, { projection: { _id: 1 } }).toArray();
      return docs.map((doc) => doc._id);
    },

    /** Creates the tenant if missing; an existing tenant is left exactly as it is. */
    async ensure(tenantId: string, name: string, flow: FlowInput = {}): Promise<Tenant> {
      const valid = flowSchema.parse(flow);
      const inserted = await tenants.updateOne(
        { _id: tenantId },
        { $setOnInsert: { name, createdAt: new Date() } },
        { upsert: true },
      );
      if (inserted.upsertedCount === 1) await flows.ensureFirst(tenantId, valid);
      const tenant = await this.get(tenantId);
      if (!tenant) throw new Error(`tenant ${tenantId} vanished right after it was ensured`);
      return tenant;
    },

    /** Creates a new tenant with flow version 1; false when the id is taken. */
    async create(tenantId: string, name: string, flow: FlowInput): Promise<boolean> {
      try {
        await tenants.insertOne({ _id: tenantId, name, createdAt: new Date() });
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
      await flows.ensureFirst(tenantId, flowSchema.parse(flow));
      return true;
    },
  };
}

export type TenantStore = ReturnType<typeof tenantStore>;
