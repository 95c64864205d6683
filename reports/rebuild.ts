import type { Db } from 'mongodb';
import { localMidnight } from '../domain/reports';
import { collections } from '../stores/collections';
import { messageStore } from '../stores/messages';
import { insertFact, recordClosed, recordRated, tenantTimeZone } from './record';
import { markDirty, refreshDirty } from './rollups';

/**
 * Recomputes a tenant's report facts for the sessions that started within
 * [from, to] (local days) from what is stored — the sessions, their
 * messages, the queue marks — and then the rollups of every day those facts
 * touch (before and after). Run after a change of the definitions, or to
 * check the live rollups: the two agree (test/integration/reports.test.ts).
 */
export async function rebuildReports(
  db: Db,
  range: { tenantId: string; from: string; to: string },
): Promise<{ sessions: number; days: number }> {
  const { tenantId } = range;
  const { sessions, reportFacts } = collections(db);
  const timeZone = await tenantTimeZone(db, tenantId);
  const next = new Date(Date.parse(`${range.to}T00:00:00Z`) + 86_400_000)
    .toISOString()
    .slice(0, 10);
  const cursor = sessions.find({
    tenantId,
    phase: { $in: ['closed', 'rated'] },
    startedAt: {
      $gte: localMidnight(range.from, timeZone),
      $lt: localMidnight(next, timeZone),
    },
  });
  const messages = messageStore(db);
  let count = 0;
  for await (const doc of cursor) {
    const ids = [`${tenantId}/session:${doc._id}`, `${tenantId}/rating:${doc._id}`];
    // The days the old facts counted on must be recomputed without them.
    const old = await reportFacts.find({ _id: { $in: ids } }).toArray();
    await markDirty(db, tenantId, [...new Set(old.flatMap((f) => f.days))]);
    await reportFacts.deleteMany({ _id: { $in: ids } });
    await recordClosed(db, messages, doc, (fact) => insertFact(db, fact));
    await recordRated(db, doc, (fact) => insertFact(db, fact));
    count++;
  }
  const days = await refreshDirty(db, tenantId);
  return { sessions: count, days };
}
