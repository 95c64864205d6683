import type { Db } from 'mongodb';
import { flowSchema, type FlowInput } from '../domain/flow';
import { defaultPresenceSettings, type PresenceSettings } from '../domain/presence';
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
    ...(doc.suspendedAt ? { suspendedAt: doc.suspendedAt.toISOString() } : {}),
  };
}

/** What the operator sees of a tenant: no flow, no keys. */
export interface TenantSummary {
  tenantId: string;
  name: string;
  createdAt: string;
  suspendedAt?: string;
  retentionDays?: number;
}

function toSummary(doc: TenantDoc): TenantSummary {
  return {
    tenantId: doc._id,
    name: doc.name,
    createdAt: doc.createdAt.toISOString(),
    ...(doc.suspendedAt ? { suspendedAt: doc.suspendedAt.toISOString() } : {}),
    ...(doc.retentionDays !== undefined ? { retentionDays: doc.retentionDays } : {}),
  };
}

const summaryFields = { name: 1, createdAt: 1, suspendedAt: 1, retentionDays: 1 } as const;

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

    /** Tenants in id order, `limit` after the id `after` (the operator's paged list). */
    async list(after: string | undefined, limit: number): Promise<TenantSummary[]> {
      const docs = await tenants
        .find(after === undefined ? {} : { _id: { $gt: after } }, { projection: summaryFields })
        .sort({ _id: 1 })
        .limit(limit)
        .toArray();
      return docs.map(toSummary);
    },

    async summary(tenantId: string): Promise<TenantSummary | undefined> {
      const doc = await tenants.findOne({ _id: tenantId }, { projection: summaryFields });
      return doc ? toSummary(doc) : undefined;
    },

    /** When the tenant was suspended; undefined while active, null when there is no such tenant. */
    async suspendedAt(tenantId: string): Promise<Date | undefined | null> {
      const doc = await tenants.findOne({ _id: tenantId }, { projection: { suspendedAt: 1 } });
      return doc ? doc.suspendedAt : null;
    },

    /**
     * Suspends (keeping the first suspension time when repeated) or resumes
     * the tenant; undefined when there is no such tenant.
     */
    async setSuspended(tenantId: string, suspended: boolean): Promise<TenantSummary | undefined> {
      if (suspended) {
        await tenants.updateOne(
          { _id: tenantId, suspendedAt: { $exists: false } },
          { $set: { suspendedAt: new Date() } },
        );
      } else {
        await tenants.updateOne({ _id: tenantId }, { $unset: { suspendedAt: '' } });
      }
      return this.summary(tenantId);
    },

    /** Sets the retention period in days, or keeps data forever with null. */
    async setRetention(tenantId: string, days: number | null): Promise<void> {
      await tenants.updateOne(
        { _id: tenantId },
        days === null ? { $unset: { retentionDays: '' } } : { $set: { retentionDays: days } },
      );
    },

    /** How the tenant's agent presence works (the defaults for a tenant that never set it). */
    async presence(tenantId: string): Promise<PresenceSettings> {
      const doc = await tenants.findOne({ _id: tenantId }, { projection: { presence: 1 } });
      return { ...defaultPresenceSettings, ...doc?.presence };
    },

    async setPresence(tenantId: string, settings: PresenceSettings): Promise<void> {
      await tenants.updateOne({ _id: tenantId }, { $set: { presence: settings } });
    },

    /** Tenants with a retention period, for the worker's retention rounds. */
    async withRetention(): Promise<{ tenantId: string; retentionDays: number }[]> {
      const docs = await tenants
        .find({ retentionDays: { $exists: true } }, { projection: { retentionDays: 1 } })
        .toArray();
      return docs.flatMap((doc) =>
        doc.retentionDays === undefined
          ? []
          : [{ tenantId: doc._id, retentionDays: doc.retentionDays }],
      );
    },

    /** Removes the tenant document itself: the last step of deleting a tenant. */
    async remove(tenantId: string): Promise<boolean> {
      return (await tenants.deleteOne({ _id: tenantId })).deletedCount === 1;
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
