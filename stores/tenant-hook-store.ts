import type { Collection } from 'mongodb';
import type { TenantHookDoc } from './collections';
import { isDuplicateKey } from './mongo-errors';

export type { TenantHookDoc };

export interface TenantHookSettings {
  url: string;
  timeoutMs: number;
  active: boolean;
}

export function tenantHookStore(hooks: Collection<TenantHookDoc>, what: string) {
  return {
    async get(tenantId: string): Promise<TenantHookDoc | null> {
      return hooks.findOne({ _id: tenantId, tenantId });
    },

    /**
     * Sets the hook. A tenant without one gets it with `secret` (created:
     * true, the only answer that shows the secret); an existing hook keeps
     * its secret. Two first PUTs racing: one inserts, the other updates.
     */
    async put(
      tenantId: string,
      settings: TenantHookSettings,
      secret: string,
    ): Promise<{ doc: TenantHookDoc; created: boolean }> {
      const now = new Date();
      if (!(await hooks.findOne({ _id: tenantId, tenantId }))) {
        const doc: TenantHookDoc = {
          _id: tenantId,
          tenantId,
          ...settings,
          secret,
          createdAt: now,
          updatedAt: now,
        };
        try {
          await hooks.insertOne(doc);
          return { doc, created: true };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
      }
      await hooks.updateOne({ _id: tenantId, tenantId }, { $set: { ...settings, updatedAt: now } });
      const doc = await hooks.findOne({ _id: tenantId, tenantId });
      if (!doc) throw new Error(`the ${what} of ${tenantId} went away while it was set`);
      return { doc, created: false };
    },

    async rotateSecret(tenantId: string, secret: string): Promise<TenantHookDoc | null> {
      await hooks.updateOne(
        { _id: tenantId, tenantId },
        { $set: { secret, updatedAt: new Date() } },
      );
      return hooks.findOne({ _id: tenantId, tenantId });
    },

    async remove(tenantId: string): Promise<boolean> {
      return (await hooks.deleteOne({ _id: tenantId, tenantId })).deletedCount === 1;
    },
  };
}

export type TenantHookStore = ReturnType<typeof tenantHookStore>;
