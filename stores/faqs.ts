import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import type { FaqEntry, StoredFaq } from '../domain/faq';
import { collections } from './collections';

/** A tenant's FAQ, which the robot answers from. */
export function faqStore(db: Db) {
  const { faqs } = collections(db);
  return {
    async add(tenantId: string, entry: FaqEntry): Promise<StoredFaq> {
      const _id = randomUUID();
      await faqs.insertOne({ ...entry, _id, tenantId, updatedAt: new Date() });
      return { ...entry, id: _id };
    },

    async list(tenantId: string): Promise<StoredFaq[]> {
      const docs = await faqs.find({ tenantId }).sort({ _id: 1 }).toArray();
      return docs.map(({ _id, tenantId: _tenant, updatedAt: _updated, ...entry }) => ({
        ...entry,
        id: _id,
      }));
    },
  };
}

export type FaqStore = ReturnType<typeof faqStore>;
