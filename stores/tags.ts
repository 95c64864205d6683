import type { Db } from 'mongodb';
import type { Tag, TagInput, TagTarget } from '../domain/tags';
import { collections, type TagDoc, type TagGroupDoc } from './collections';
import { isDuplicateKey } from './mongo-errors';

const key = (tenantId: string, id: string) => `${tenantId}:${id}`;

const toTag = (doc: TagDoc): Tag => ({
  tagId: doc.tagId,
  groupId: doc.groupId,
  name: doc.name,
  target: doc.target,
  kind: doc.kind,
  visibility: doc.visibility,
  ...(doc.rule ? { rule: doc.rule } : {}),
});
const toGroup = (doc: TagGroupDoc) => ({ groupId: doc.groupId, name: doc.name });

/** What mapping an external id answers: done, or the tag that already holds the id. */
export type ExternalIdMapping = { mapped: true } | { mapped: false; heldBy: string };

/**
 * Tag groups, tags, the tags set on customers, and tags' ids on other
 * platforms; session tags live on the session projection.
 */
export function tagStore(db: Db) {
  const { tagGroups, tags, customerTags, sessions, tagExternalIds } = collections(db);
  return {
    /** False when the group id is taken. */
    async addGroup(tenantId: string, groupId: string, name: string): Promise<boolean> {
      try {
        await tagGroups.insertOne({
          _id: key(tenantId, groupId),
          tenantId,
          groupId,
          name,
          updatedAt: new Date(),
        });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },

    async listGroups(tenantId: string) {
      return (await tagGroups.find({ tenantId }).sort({ groupId: 1 }).toArray()).map(toGroup);
    },

    async getGroup(tenantId: string, groupId: string) {
      const doc = await tagGroups.findOne({ _id: key(tenantId, groupId) });
      return doc ? toGroup(doc) : undefined;
    },

    async renameGroup(tenantId: string, groupId: string, name: string): Promise<boolean> {
      const result = await tagGroups.updateOne(
        { _id: key(tenantId, groupId) },
        { $set: { name, updatedAt: new Date() } },
      );
      return result.matchedCount === 1;
    },

    async removeGroup(tenantId: string, groupId: string): Promise<boolean> {
      return (await tagGroups.deleteOne({ _id: key(tenantId, groupId) })).deletedCount === 1;
    },

    /** False when the tag id is taken. */
    async addTag(tenantId: string, tag: Tag): Promise<boolean> {
      try {
        await tags.insertOne({
          ...tag,
          _id: key(tenantId, tag.tagId),
          tenantId,
          updatedAt: new Date(),
        });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },

    async listTags(tenantId: string, filter: { target?: TagTarget; groupId?: string }) {
      const docs = await tags
        .find({
          tenantId,
          ...(filter.target ? { target: filter.target } : {}),
          ...(filter.groupId ? { groupId: filter.groupId } : {}),
        })
        .sort({ tagId: 1 })
        .toArray();
      return docs.map(toTag);
    },

    /** The tenant's auto tags, which a newly opened session is matched against. */
    async autoTags(tenantId: string) {
      return (await tags.find({ tenantId, kind: 'auto' }).toArray()).map(toTag);
    },

    async getTag(tenantId: string, tagId: string): Promise<Tag | undefined> {
      const doc = await tags.findOne({ _id: key(tenantId, tagId) });
      return doc ? toTag(doc) : undefined;
    },

    async replaceTag(tenantId: string, tagId: string, input: TagInput): Promise<boolean> {
      const result = await tags.replaceOne(
        { _id: key(tenantId, tagId) },
        { ...input, tenantId, tagId, updatedAt: new Date() },
      );
      return result.matchedCount === 1;
    },

    /** Removes the tag, its external ids, and takes it off every customer and session of the tenant. */
    async removeTag(tenantId: string, tagId: string): Promise<boolean> {
      const removed = (await tags.deleteOne({ _id: key(tenantId, tagId) })).deletedCount === 1;
      if (removed) {
        await tagExternalIds.deleteMany({ tenantId, tagId });
        await customerTags.updateMany({ tenantId, tags: tagId }, { $pull: { tags: tagId } });
        await sessions.updateMany({ tenantId, tags: tagId }, { $pull: { tags: tagId } });
      }
      return removed;
    },

    /**
     * Sets the tag's id on `platform` (replacing its earlier one there). The
     * unique index decides between writers mapping one external id to two
     * tags: the loser is told which tag holds it.
     */
    async mapExternalId(
      tenantId: string,
      tagId: string,
      platform: string,
      externalId: string,
    ): Promise<ExternalIdMapping> {
      const write = () =>
        tagExternalIds.updateOne(
          { _id: `${key(tenantId, tagId)}:${platform}` },
          {
            $set: { externalId, updatedAt: new Date() },
            $setOnInsert: { tenantId, tagId, platform },
          },
          { upsert: true },
        );
      // Twice at most: a duplicate key from two upserts of this same tag's id is retried once.
      for (let attempt = 0; ; attempt++) {
        try {
          await write();
          return { mapped: true };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          const holder = await tagExternalIds.findOne({ tenantId, platform, externalId });
          if (holder && holder.tagId !== tagId) return { mapped: false, heldBy: holder.tagId };
          if (attempt > 0) throw error;
        }
      }
    },

    /** False when the tag had no id on `platform`. */
    async unmapExternalId(tenantId: string, tagId: string, platform: string): Promise<boolean> {
      const result = await tagExternalIds.deleteOne({ _id: `${key(tenantId, tagId)}:${platform}` });
      return result.deletedCount === 1;
    },

    async externalIds(tenantId: string, tagId: string) {
      const docs = await tagExternalIds.find({ tenantId, tagId }).sort({ platform: 1 }).toArray();
      return docs.map((d) => ({ platform: d.platform, externalId: d.externalId }));
    },

    /** The tag an external id names, if the tenant mapped it (and the tag still exists). */
    async tagByExternalId(
      tenantId: string,
      platform: string,
      externalId: string,
    ): Promise<Tag | undefined> {
      const mapping = await tagExternalIds.findOne({ tenantId, platform, externalId });
      if (!mapping) return undefined;
      const doc = await tags.findOne({ _id: key(tenantId, mapping.tagId) });
      return doc ? toTag(doc) : undefined;
    },

    async customerTags(tenantId: string, visitorId: string): Promise<string[]> {
      return (await customerTags.findOne({ _id: key(tenantId, visitorId) }))?.tags ?? [];
    },

    /** The customer's tags document (its `lastTagChange` stamps the last real change). */
    async customerTagsDoc(tenantId: string, visitorId: string) {
      return customerTags.findOne({ _id: key(tenantId, visitorId) });
    },

    async tagCustomer(tenantId: string, visitorId: string, tagId: string): Promise<void> {
      const now = new Date();
      try {
        // Only a real change is stamped: the tag event is derived from the stamp.
        await customerTags.updateOne(
          { _id: key(tenantId, visitorId), tags: { $ne: tagId } },
          {
            $addToSet: { tags: tagId },
            $set: { updatedAt: now, lastTagChange: { tagId, on: true, at: now } },
            $setOnInsert: { tenantId, visitorId },
          },
          { upsert: true },
        );
      } catch (error) {
        // The document exists with the tag already: the upsert's insert collided.
        if (!isDuplicateKey(error)) throw error;
      }
    },

    async untagCustomer(tenantId: string, visitorId: string, tagId: string): Promise<void> {
      const now = new Date();
      await customerTags.updateOne(
        { _id: key(tenantId, visitorId), tags: tagId },
        {
          $pull: { tags: tagId },
          $set: { updatedAt: now, lastTagChange: { tagId, on: false, at: now } },
        },
      );
    },
  };
}

export type TagStore = ReturnType<typeof tagStore>;
