import type { Db } from 'mongodb';
import { collections } from '../stores/collections';
import { isDuplicateKey } from '../stores/mongo-errors';

/**
 * Who delivers to a subscription: at most one worker at a time holds its
 * lease, so events go out in order and no two workers send the same one at
 * once.
 *
 * A lease is a document `<subscription>#<epoch>` holding its owner and
 * expiry. Taking one is an insert of the next epoch: when the newest epoch
 * has expired (or is the taker's own, a renewal), every worker that wants
 * the subscription inserts epoch + 1 and exactly one insert succeeds — the
 * unique `_id` decides, on MongoDB and on FerretDB alike, where a
 * conditional findOneAndUpdate would not be atomic (FerretDB v1 on SQLite
 * reads and writes in separate steps). A holder stops starting work
 * `marginMs` before its expiry, so it is done before anyone else can take
 * the next epoch; clocks between workers must agree better than that.
 */

export interface Lease {
  epoch: number;
  until: Date;
}

export function leases(db: Db, owner: string, options: { durationMs: number }) {
  const { webhookLeases } = collections(db);
  return {
    /** The lease on `subscription`, or undefined while another worker holds it. */
    async take(
      of: { _id: string; tenantId: string },
      now: Date = new Date(),
    ): Promise<Lease | undefined> {
      const subscription = of._id;
      const newest = await webhookLeases.find({ subscription }).sort({ epoch: -1 }).limit(1).next();
      if (newest && newest.owner !== owner && newest.until > now) return undefined;
      // Our own lease with more than half its time left: no need to renew yet.
      if (
        newest?.owner === owner &&
        newest.until.getTime() - now.getTime() > options.durationMs / 2
      ) {
        return { epoch: newest.epoch, until: newest.until };
      }
      const epoch = (newest?.epoch ?? 0) + 1;
      const until = new Date(now.getTime() + options.durationMs);
      try {
        await webhookLeases.insertOne({
          _id: `${subscription}#${epoch}`,
          tenantId: of.tenantId,
          subscription,
          epoch,
          owner,
          until,
        });
      } catch (error) {
        if (isDuplicateKey(error)) return undefined;
        throw error;
      }
      // Older epochs are history; one behind is kept so the newest is always found.
      await webhookLeases.deleteMany({ subscription, epoch: { $lt: epoch - 1 } });
      return { epoch, until };
    },
  };
}
