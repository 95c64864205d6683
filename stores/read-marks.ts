import type { Db } from 'mongodb';
import { collections } from './collections';
import { isDuplicateKey } from './mongo-errors';

export type Reader = { type: 'visitor' } | { type: 'agent'; id: string };

const readerKey = (reader: Reader) =>
  reader.type === 'visitor' ? 'visitor' : `agent:${reader.id}`;

/**
 * Read state per (session, reader): the highest seq the reader has seen.
 * Marks only move forward, so a late or repeated receipt never un-reads.
 */
export function readMarkStore(db: Db) {
  const { readMarks } = collections(db);
  const idOf = (tenantId: string, sessionId: string, reader: Reader) =>
    `${tenantId}:${sessionId}:${readerKey(reader)}`;

  return {
    /** Raises the mark to `seq`; returns the mark now stored (which may be higher). */
    async mark(tenantId: string, sessionId: string, reader: Reader, seq: number): Promise<number> {
      const _id = idOf(tenantId, sessionId, reader);
      try {
        await readMarks.updateOne(
          { _id, seq: { $lt: seq } },
          {
            $set: { seq, updatedAt: new Date() },
            $setOnInsert: { tenantId, sessionId, reader: readerKey(reader) },
          },
          { upsert: true },
        );
      } catch (error) {
        // The mark exists and is already at or past `seq`: the upsert's insert collided.
        if (!isDuplicateKey(error)) throw error;
      }
      return this.get(tenantId, sessionId, reader);
    },

    async get(tenantId: string, sessionId: string, reader: Reader): Promise<number> {
      const doc = await readMarks.findOne({ _id: idOf(tenantId, sessionId, reader) });
      return doc?.seq ?? 0;
    },
  };
}

export type ReadMarkStore = ReturnType<typeof readMarkStore>;
