import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { collections, type OutreachDoc } from './collections';

/** Accepted proactive first messages, waiting for the customer's next visit. */
export function outreachStore(db: Db) {
  const { outreaches } = collections(db);
  return {
    async add(doc: Omit<OutreachDoc, '_id' | 'status' | 'createdAt'>): Promise<OutreachDoc> {
      const stored: OutreachDoc = {
        ...doc,
        _id: randomUUID(),
        status: 'pending',
        createdAt: new Date(),
      };
      await outreaches.insertOne(stored);
      return stored;
    },
  };
}

export type OutreachStore = ReturnType<typeof outreachStore>;
