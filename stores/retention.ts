import type { Db } from 'mongodb';
import type { SessionPhase } from '../domain/session';
import { gridFsBlobs } from './attachment-blobs';
import { attachmentStore } from './attachments';
import { collections } from './collections';

/** Phases of a session that is over; only such sessions are ever removed for age. */
const endedPhases: SessionPhase[] = ['closed', 'rated'];

export interface RetentionRound {
  sessions: number;
  messages: number;
  /** Uploaded attachments (their records; the bytes and thumbnails go with them). */
  attachments: number;
  readMarks: number;
  tickets: number;
  outreach: number;
}

/**
 * A tenant's retention period applied once: sessions that ended before
 * `cutoff` go, with their messages, uploaded attachments, read marks and
 * ratings (kept on the session); so do tickets resolved before it and outreach written before it.
 * Open sessions and unresolved tickets stay whatever their age: they are
 * work still in hand. Works in batches of `batchSize` sessions, messages
 * first, so an interrupted round leaves no messages without their session
 * and the next round picks up where it stopped.
 */
export async function removeExpired(
  db: Db,
  tenantId: string,
  cutoff: Date,
  batchSize = 200,
): Promise<RetentionRound> {
  const c = collections(db);
  const blobs = gridFsBlobs(db);
  const attachments = attachmentStore(db);
  const removed: RetentionRound = {
    sessions: 0,
    messages: 0,
    attachments: 0,
    readMarks: 0,
    tickets: 0,
    outreach: 0,
  };
  for (;;) {
    const batch = await c.sessions
      .find(
        { tenantId, phase: { $in: endedPhases }, closedAt: { $lt: cutoff } },
        { projection: { _id: 1 } },
      )
      .limit(batchSize)
      .toArray();
    if (!batch.length) break;
    const ids = batch.map((doc) => doc._id);
    // Staff notes go with their messages (not counted apart: they are part of the chat).
    await c.notes.deleteMany({ tenantId, sessionId: { $in: ids } });
    // Bytes before records, records before messages: a rerun still finds what is left.
    await blobs.removeSessions(tenantId, ids);
    removed.attachments += await attachments.removeSessions(tenantId, ids);
    removed.messages += (
      await c.messages.deleteMany({ tenantId, sessionId: { $in: ids } })
    ).deletedCount;
    removed.readMarks += (
      await c.readMarks.deleteMany({ tenantId, sessionId: { $in: ids } })
    ).deletedCount;
    // The phase again: a session is never removed unless it is over.
    removed.sessions += (
      await c.sessions.deleteMany({ _id: { $in: ids }, tenantId, phase: { $in: endedPhases } })
    ).deletedCount;
    if (batch.length < batchSize) break;
  }
  removed.tickets = (
    await c.tickets.deleteMany({ tenantId, status: 'resolved', resolvedAt: { $lt: cutoff } })
  ).deletedCount;
  removed.outreach = (
    await c.outreaches.deleteMany({ tenantId, createdAt: { $lt: cutoff } })
  ).deletedCount;
  return removed;
}
