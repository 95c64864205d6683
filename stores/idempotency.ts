import type { Db } from 'mongodb';
import { collections } from './collections';
import { isDuplicateKey } from './mongo-errors';

export type IdempotencyClaim =
  | { state: 'new' }
  | { state: 'replay'; status: number; body: unknown }
  | { state: 'mismatch' }
  | { state: 'in_progress' };

/**
 * Answers of POSTs sent with an Idempotency-Key. The first request claims the
 * key (a unique insert decides between concurrent ones), runs, and stores its
 * answer; only successful answers are kept, so a failed request leaves
 * nothing behind and may be retried with the same key.
 */
export function idempotencyStore(db: Db, ttlSeconds: number) {
  const { idempotency } = collections(db);
  const id = (scope: string, key: string) => `${scope}:${key}`;
  return {
    async claim(scope: string, key: string, fingerprint: string): Promise<IdempotencyClaim> {
      const _id = id(scope, key);
      // Where the server has no TTL index (FerretDB), expired answers go here.
      await idempotency.deleteMany({ expiresAt: { $lt: new Date() } });
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await idempotency.insertOne({
            _id,
            fingerprint,
            expiresAt: new Date(Date.now() + ttlSeconds * 1000),
          });
          return { state: 'new' };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
        const doc = await idempotency.findOne({ _id });
        if (!doc) continue;
        if (doc.expiresAt.getTime() <= Date.now()) {
          await idempotency.deleteOne({ _id, expiresAt: doc.expiresAt });
          continue;
        }
        if (doc.fingerprint !== fingerprint) return { state: 'mismatch' };
        if (doc.status === undefined) return { state: 'in_progress' };
        return { state: 'replay', status: doc.status, body: doc.body };
      }
      return { state: 'in_progress' };
    },

    async complete(scope: string, key: string, status: number, body: unknown): Promise<void> {
      await idempotency.updateOne({ _id: id(scope, key) }, { $set: { status, body } });
    },

    async forget(scope: string, key: string): Promise<void> {
      await idempotency.deleteOne({ _id: id(scope, key), status: { $exists: false } });
    },
  };
}

export type IdempotencyStore = ReturnType<typeof idempotencyStore>;
