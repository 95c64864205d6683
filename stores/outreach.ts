import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { collections, type OutreachDoc } from './collections';

/** Accepted proactive first messages: pending until the customer's next session opens. */
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

    /** The customer's pending outreach, oldest first. */
    async pendingFor(tenantId: string, visitorId: string): Promise<OutreachDoc[]> {
      return outreaches
        .find({ tenantId, visitorId, status: 'pending' })
        .sort({ createdAt: 1 })
        .limit(20)
        .toArray();
    },

    async markDelivered(tenantId: string, outreachId: string, sessionId: string): Promise<void> {
      await outreaches.updateOne(
        { _id: outreachId, tenantId, status: 'pending' },
        { $set: { status: 'delivered', sessionId, deliveredAt: new Date() } },
      );
    },
  };
}

export type OutreachStore = ReturnType<typeof outreachStore>;
