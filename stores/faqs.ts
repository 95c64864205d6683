import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import type { FaqEntry, StoredFaq } from '../domain/faq';
import { collections, type FaqDoc } from './collections';

const toStored = ({
  _id,
  tenantId: _tenant,
  updatedAt: _updated,
  ...entry
}: FaqDoc): StoredFaq => ({
  ...entry,
  id: _id,
});

/** A tenant's FAQ, which the robot answers from. */
export function faqStore(db: Db) {
  const { faqs } = collections(db);
  return {
    async add(tenantId: string, entry: FaqEntry): Promise<StoredFaq> {
      const _id = randomUUID();
      await faqs.insertOne({ ...entry, _id, tenantId, updatedAt: new Date() });
      return { ...entry, id: _id };
    },

    /** Adds every entry in one write, so an import is stored whole or not at all. */
    async addMany(tenantId: string, entries: FaqEntry[]): Promise<StoredFaq[]> {
      if (entries.length === 0) return [];
      const docs = entries.map((entry) => ({
        ...entry,
        _id: randomUUID(),
        tenantId,
        updatedAt: new Date(),
      }));
      await faqs.insertMany(docs);
      return docs.map(toStored);
    },

    async list(tenantId: string): Promise<StoredFaq[]> {
      const docs = await faqs.find({ tenantId }).sort({ _id: 1 }).toArray();
      return docs.map(toStored);
    },

    async get(tenantId: string, faqId: string): Promise<StoredFaq | undefined> {
      const doc = await faqs.findOne({ _id: faqId, tenantId });
      return doc ? toStored(doc) : undefined;
    },

    /** Replaces the entry; undefined when the tenant has no such entry. */
    async replace(tenantId: string, faqId: string, entry: FaqEntry) {
      const result = await faqs.replaceOne(
        { _id: faqId, tenantId },
        { ...entry, tenantId, updatedAt: new Date() },
      );
      return result.matchedCount === 1 ? { ...entry, id: faqId } : undefined;
    },

    async remove(tenantId: string, faqId: string): Promise<boolean> {
      return (await faqs.deleteOne({ _id: faqId, tenantId })).deletedCount === 1;
    },
  };
}

export type FaqStore = ReturnType<typeof faqStore>;
