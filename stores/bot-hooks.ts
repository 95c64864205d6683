import type { Db } from 'mongodb';
import type { BotHookSettings } from '../domain/bot-hook';
import { collections, type BotHookDoc } from './collections';
import { isDuplicateKey } from './mongo-errors';

/**
 * Each tenant's bot hook, one document per tenant (`_id` = tenant id).
 * Written by the admin API; read by the session opening (is one active?)
 * and by each bot turn (where, how long, which secret). Deleting the tenant
 * removes it with every other document that carries its `tenantId`.
 */
export function botHookStore(db: Db) {
  const { botHooks } = collections(db);
  return {
    async get(tenantId: string): Promise<BotHookDoc | null> {
      return botHooks.findOne({ _id: tenantId, tenantId });
    },

    /**
     * Sets the hook. A tenant without one gets it with `secret` (created:
     * true, the only answer that shows the secret); an existing hook keeps
     * its secret. Two first PUTs racing: one inserts, the other updates.
     */
    async put(
      tenantId: string,
      settings: BotHookSettings,
      secret: string,
    ): Promise<{ doc: BotHookDoc; created: boolean }> {
      const now = new Date();
      if (!(await botHooks.findOne({ _id: tenantId, tenantId }))) {
        const doc: BotHookDoc = {
          _id: tenantId,
          tenantId,
          ...settings,
          secret,
          createdAt: now,
          updatedAt: now,
        };
        try {
          await botHooks.insertOne(doc);
          return { doc, created: true };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
      }
      await botHooks.updateOne(
        { _id: tenantId, tenantId },
        { $set: { ...settings, updatedAt: now } },
      );
      const doc = await botHooks.findOne({ _id: tenantId, tenantId });
      if (!doc) throw new Error(`the bot hook of ${tenantId} went away while it was set`);
      return { doc, created: false };
    },

    async rotateSecret(tenantId: string, secret: string): Promise<BotHookDoc | null> {
      await botHooks.updateOne(
        { _id: tenantId, tenantId },
        { $set: { secret, updatedAt: new Date() } },
      );
      return botHooks.findOne({ _id: tenantId, tenantId });
    },

    async remove(tenantId: string): Promise<boolean> {
      return (await botHooks.deleteOne({ _id: tenantId, tenantId })).deletedCount === 1;
    },
  };
}

export type BotHookStore = ReturnType<typeof botHookStore>;
