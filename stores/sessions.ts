import type { Db } from 'mongodb';
import type { SessionInput, SessionPhase } from '../domain/session';
import { collections } from './collections';
import { isDuplicateKey } from './mongo-errors';

const pointerId = (tenantId: string, visitorId: string) => `${tenantId}:${visitorId}`;

/**
 * Sessions in MongoDB: the visitor's open-session pointer (which makes "one
 * open session per visitor per tenant" hold under concurrent opens) and the
 * projection of each session workflow.
 */
export function sessionStore(db: Db) {
  const { openSessions, sessions } = collections(db);

  return {
    /**
     * The visitor's open session id, claiming `candidateId` if there is none.
     * The unique `_id` arbitrates concurrent claims: one insert wins, the
     * others read the winner.
     */
    async claimOpen(
      tenantId: string,
      visitorId: string,
      candidateId: string,
    ): Promise<{ sessionId: string; claimed: boolean }> {
      const _id = pointerId(tenantId, visitorId);
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          await openSessions.insertOne({
            _id,
            tenantId,
            visitorId,
            sessionId: candidateId,
            createdAt: new Date(),
          });
          return { sessionId: candidateId, claimed: true };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
        const existing = await openSessions.findOne({ _id });
        // Released between our insert and read: claim again.
        if (existing) return { sessionId: existing.sessionId, claimed: false };
      }
      throw new Error(
        `could not claim an open session for visitor ${visitorId} of tenant ${tenantId}`,
      );
    },

    /** Drops the pointer if it still names `sessionId` (a newer session's pointer is kept). */
    async releaseOpen(tenantId: string, visitorId: string, sessionId: string): Promise<void> {
      await openSessions.deleteOne({ _id: pointerId(tenantId, visitorId), sessionId });
    },

    async recordOpened(input: SessionInput, startedAt: Date): Promise<void> {
      await sessions.updateOne(
        { _id: input.sessionId, tenantId: input.tenantId },
        {
          $setOnInsert: {
            visitorId: input.visitor.id,
            channel: input.channel,
            entry: input.entry,
            phase: 'robot' satisfies SessionPhase,
            startedAt,
          },
        },
        { upsert: true },
      );
    },

    async recordClosed(
      tenantId: string,
      sessionId: string,
      closedAt: Date,
      reason: string,
    ): Promise<void> {
      await sessions.updateOne(
        { _id: sessionId, tenantId },
        { $set: { phase: 'closed' satisfies SessionPhase, closedAt, closeReason: reason } },
      );
    },
  };
}

export type SessionStore = ReturnType<typeof sessionStore>;
