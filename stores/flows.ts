import type { Db } from 'mongodb';
import { flowSchema, type Flow, type FlowInput } from '../domain/flow';
import { collections, type FlowVersionDoc } from './collections';
import { isDuplicateKey } from './mongo-errors';

const key = (tenantId: string, version: number) => `${tenantId}:${version}`;

export interface FlowVersion {
  version: number;
  flow: Flow;
  createdAt: string;
  note?: string;
  rolledBackFrom?: number;
}

const toVersion = (doc: FlowVersionDoc): FlowVersion => ({
  version: doc.version,
  flow: flowSchema.parse(doc.flow),
  createdAt: doc.createdAt.toISOString(),
  ...(doc.note !== undefined ? { note: doc.note } : {}),
  ...(doc.rolledBackFrom !== undefined ? { rolledBackFrom: doc.rolledBackFrom } : {}),
});

/**
 * Versioned flows: every change inserts version n+1 and nothing is ever
 * overwritten, so a session can always be traced to the exact flow it ran
 * with. The current flow is the newest version. The version number is
 * decided by the unique `_id` (tenant:version): two concurrent changes cannot
 * both take n+1; the loser retries on n+2 (no counters, DESIGN.md §6).
 */
export function flowStore(db: Db) {
  const { flowVersions } = collections(db);

  async function latest(tenantId: string): Promise<FlowVersionDoc | undefined> {
    const [doc] = await flowVersions.find({ tenantId }).sort({ version: -1 }).limit(1).toArray();
    return doc;
  }

  return {
    async current(tenantId: string): Promise<FlowVersion | undefined> {
      const doc = await latest(tenantId);
      return doc ? toVersion(doc) : undefined;
    },

    async get(tenantId: string, version: number): Promise<FlowVersion | undefined> {
      const doc = await flowVersions.findOne({ _id: key(tenantId, version), tenantId });
      return doc ? toVersion(doc) : undefined;
    },

    async history(tenantId: string): Promise<Omit<FlowVersion, 'flow'>[]> {
      const docs = await flowVersions.find({ tenantId }).sort({ version: -1 }).toArray();
      return docs.map((doc) => ({
        version: doc.version,
        createdAt: doc.createdAt.toISOString(),
        ...(doc.note !== undefined ? { note: doc.note } : {}),
        ...(doc.rolledBackFrom !== undefined ? { rolledBackFrom: doc.rolledBackFrom } : {}),
      }));
    },

    /** Stores `flow` as the next version. The flow must already be valid. */
    async append(
      tenantId: string,
      flow: FlowInput,
      meta: { note?: string; rolledBackFrom?: number } = {},
    ): Promise<FlowVersion> {
      for (let attempt = 0; attempt < 10; attempt++) {
        const version = ((await latest(tenantId))?.version ?? 0) + 1;
        const doc: FlowVersionDoc = {
          _id: key(tenantId, version),
          tenantId,
          version,
          flow,
          createdAt: new Date(),
          ...(meta.note !== undefined ? { note: meta.note } : {}),
          ...(meta.rolledBackFrom !== undefined ? { rolledBackFrom: meta.rolledBackFrom } : {}),
        };
        try {
          await flowVersions.insertOne(doc);
          return toVersion(doc);
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
      }
      throw new Error(`could not store a new flow version for tenant ${tenantId}`);
    },

    /** Version 1 for a new tenant; kept as it is if the tenant already has versions. */
    async ensureFirst(tenantId: string, flow: FlowInput): Promise<void> {
      try {
        await flowVersions.insertOne({
          _id: key(tenantId, 1),
          tenantId,
          version: 1,
          flow,
          createdAt: new Date(),
        });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    },
  };
}

export type FlowStore = ReturnType<typeof flowStore>;
