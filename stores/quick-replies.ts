import { randomUUID } from 'node:crypto';
import type { Db, Filter } from 'mongodb';
import type { QuickReply, QuickReplyInput } from '../domain/quick-replies';
import { collections, type QuickReplyDoc } from './collections';

const toQuickReply = (doc: QuickReplyDoc): QuickReply => ({
  id: doc._id,
  scope: doc.scope,
  ...(doc.ownerId !== undefined ? { ownerId: doc.ownerId } : {}),
  shortcut: doc.shortcut,
  text: doc.text,
});

/** Whose quick replies a caller works with: the tenant's, or one agent's personal ones. */
export type QuickReplyOwner = { scope: 'tenant' } | { scope: 'personal'; agentId: string };

const ownerFilter = (owner: QuickReplyOwner): Filter<QuickReplyDoc> =>
  owner.scope === 'tenant' ? { scope: 'tenant' } : { scope: 'personal', ownerId: owner.agentId };

/** Bounds a list read; the console searches within it. */
const listCap = 1_000;

/** Quick replies (常用语), tenant-wide and personal, always scoped by tenant. */
export function quickReplyStore(db: Db) {
  const { quickReplies } = collections(db);
  return {
    async add(tenantId: string, owner: QuickReplyOwner, input: QuickReplyInput) {
      const doc: QuickReplyDoc = {
        _id: randomUUID(),
        tenantId,
        scope: owner.scope,
        ...(owner.scope === 'personal' ? { ownerId: owner.agentId } : {}),
        shortcut: input.shortcut,
        text: input.text,
        updatedAt: new Date(),
      };
      await quickReplies.insertOne(doc);
      return toQuickReply(doc);
    },

    /** The tenant's quick replies, plus `agentId`'s personal ones when given. */
    async list(tenantId: string, agentId: string | undefined): Promise<QuickReply[]> {
      const docs = await quickReplies
        .find({
          tenantId,
          $or: [
            ownerFilter({ scope: 'tenant' }),
            ...(agentId !== undefined ? [ownerFilter({ scope: 'personal', agentId })] : []),
          ],
        })
        .sort({ shortcut: 1, _id: 1 })
        .limit(listCap)
        .toArray();
      return docs.map(toQuickReply);
    },

    async get(tenantId: string, id: string): Promise<QuickReply | undefined> {
      const doc = await quickReplies.findOne({ _id: id, tenantId });
      return doc ? toQuickReply(doc) : undefined;
    },

    /** Undefined when `owner` has no such quick reply (nothing is written). */
    async replace(tenantId: string, owner: QuickReplyOwner, id: string, input: QuickReplyInput) {
      const result = await quickReplies.updateOne(
        { _id: id, tenantId, ...ownerFilter(owner) },
        { $set: { shortcut: input.shortcut, text: input.text, updatedAt: new Date() } },
      );
      if (result.matchedCount !== 1) return undefined;
      return this.get(tenantId, id);
    },

    /** A deleted agent's personal quick replies go with it. */
    async removeOwnedBy(tenantId: string, agentId: string): Promise<void> {
      await quickReplies.deleteMany({ tenantId, ...ownerFilter({ scope: 'personal', agentId }) });
    },

    async remove(tenantId: string, owner: QuickReplyOwner, id: string): Promise<boolean> {
      const result = await quickReplies.deleteOne({ _id: id, tenantId, ...ownerFilter(owner) });
      return result.deletedCount === 1;
    },
  };
}

export type QuickReplyStore = ReturnType<typeof quickReplyStore>;
