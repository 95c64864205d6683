import type { Db } from 'mongodb';
import type { SessionInput, SessionPhase } from '../domain/session';
import type { CloseReason } from '../domain/session-commands';
import { collections, type SessionDoc } from './collections';
import { isDuplicateKey } from './mongo-errors';
import { noFactsCache, type CachedFacts, type FactsCache } from './session-facts-cache';

/** Phases in which a session belongs to its agent (it shows in their list). */
export const heldPhases: SessionPhase[] = ['reserved', 'assigned', 'transferring'];

const pointerId = (tenantId: string, visitorId: string) => `${tenantId}:${visitorId}`;

/** How many sessions' tenants a process remembers (a few bytes each). */
const ownersKept = 50_000;

/**
 * Sessions in MongoDB: the visitor's open-session pointer (which makes "one
 * open session per visitor per tenant" hold under concurrent opens) and the
 * projection of each session workflow.
 */
export function sessionStore(db: Db, cache: FactsCache = noFactsCache) {
  const { openSessions, sessions } = collections(db);

  // FerretDB v1 on SQLite uses its `_id` index only for a filter on `_id` alone and scans
  // the collection for anything more, `{ _id, tenantId }` included. So one session is read
  // by `_id` and its tenant checked here; another tenant's session is simply not found.
  const get = async (tenantId: string, sessionId: string) => {
    const doc = await sessions.findOne({ _id: sessionId });
    return doc?.tenantId === tenantId ? doc : null;
  };
  const refills = new Map<string, Promise<CachedFacts | undefined>>();
  /**
   * The tenants of the sessions this process wrote lately. A session's
   * tenant never changes (and ids are never reused), so once read it answers
   * every later ownership check: a session's steps write it several times
   * and would otherwise read it before each write. Bounded, oldest first out.
   */
  const tenantOf = new Map<string, string>();
  /** Whether the tenant has this session: asked before a write by `_id` alone. */
  const owns = async (tenantId: string, sessionId: string) => {
    const known = tenantOf.get(sessionId);
    if (known !== undefined) return known === tenantId;
    const doc = await sessions.findOne({ _id: sessionId }, { projection: { tenantId: 1 } });
    if (doc) {
      tenantOf.set(sessionId, doc.tenantId);
      if (tenantOf.size > ownersKept) tenantOf.delete(tenantOf.keys().next().value ?? sessionId);
    }
    return doc?.tenantId === tenantId;
  };

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

    /**
     * The visitor whose open-session pointer names `sessionId`: a session just
     * opened exists before its workflow has projected it.
     */
    async openVisitor(tenantId: string, sessionId: string): Promise<string | undefined> {
      return (await openSessions.findOne({ tenantId, sessionId }))?.visitorId;
    },

    /** `tags` are the auto tags the session opened with. */
    async recordOpened(
      input: SessionInput,
      startedAt: Date,
      flowVersion?: number,
      tags: string[] = [],
    ): Promise<SessionDoc | null> {
      // By `_id` alone (see `get`); a session id is the engine's, never reused across tenants.
      const doc = await sessions.findOneAndUpdate(
        { _id: input.sessionId },
        {
          $setOnInsert: {
            tenantId: input.tenantId,
            visitorId: input.visitor.id,
            channel: input.channel,
            entry: input.entry,
            phase: 'robot' satisfies SessionPhase,
            startedAt,
            ...(flowVersion !== undefined ? { flowVersion } : {}),
            ...(tags.length ? { tags } : {}),
          },
        },
        { upsert: true, returnDocument: 'after' },
      );
      await cache.forget(input.tenantId, input.sessionId);
      return doc?.tenantId === input.tenantId ? doc : null;
    },

    /**
     * Writes what the workflow just decided (phase, group, agent, times…).
     * Field values are set as given; `unset` names fields to clear (e.g. the
     * agent when a session goes back to the queue).
     */
    async project(
      tenantId: string,
      sessionId: string,
      patch: SessionPatch,
      unset: (keyof SessionPatch)[] = [],
    ): Promise<SessionDoc | null> {
      if (!(await owns(tenantId, sessionId))) return null;
      // The session as this write left it comes back with the write: the step's
      // event, report facts and agents' lists are built from it, not read again.
      const doc = await sessions.findOneAndUpdate(
        { _id: sessionId },
        {
          $set: patch,
          ...(unset.length ? { $unset: Object.fromEntries(unset.map((f) => [f, ''])) } : {}),
        },
        { returnDocument: 'after' },
      );
      await cache.forget(tenantId, sessionId);
      return doc;
    },

    async appendTransfer(
      tenantId: string,
      sessionId: string,
      transfer: NonNullable<SessionDoc['transfers']>[number],
    ): Promise<void> {
      const doc = await get(tenantId, sessionId);
      if (!doc) return;
      // One transfer ends one holding: a step run again by a later attempt of its
      // workflow task (whose clock moved on) finds the record it wrote.
      const { heldSince } = transfer;
      const recorded = (doc.transfers ?? []).some(
        (t) =>
          t.fromAgentId === transfer.fromAgentId &&
          heldSince !== undefined &&
          t.heldSince?.getTime() === heldSince.getTime(),
      );
      if (recorded) return;
      // A set, not a push: a step retried within one attempt sends the same record.
      await sessions.updateOne({ _id: sessionId }, { $addToSet: { transfers: transfer } });
    },

    get,

    /** Phase and agent, for authorising a chat message: from the cache when it has them. */
    async facts(tenantId: string, sessionId: string): Promise<CachedFacts | undefined> {
      const cached = await cache.get(tenantId, sessionId);
      if (cached) return cached;
      // A burst of sends to a session whose entry expired makes one read, not one each.
      const key = `${tenantId}/${sessionId}`;
      const inFlight = refills.get(key);
      if (inFlight) return inFlight;
      const refill = (async () => {
        const generation = await cache.generation(tenantId, sessionId);
        const doc = await get(tenantId, sessionId);
        if (!doc) return undefined;
        const facts = { phase: doc.phase, ...(doc.agentId ? { agentId: doc.agentId } : {}) };
        await cache.set(tenantId, sessionId, facts, generation);
        return facts;
      })().finally(() => refills.delete(key));
      refills.set(key, refill);
      return refill;
    },

    /** The agent of the visitor's latest session closed after `since`, for sticky routing. */
    async previousAgent(tenantId: string, visitorId: string, since: Date) {
      const [last] = await sessions
        .find({ tenantId, visitorId, agentId: { $exists: true }, closedAt: { $gte: since } })
        .sort({ closedAt: -1 })
        .limit(1)
        .toArray();
      return last?.agentId;
    },

    /** The sessions an agent holds now (offered, assigned, or mid-transfer): their session list. */
    async heldBy(tenantId: string, agentId: string) {
      return sessions
        .find({ tenantId, agentId, phase: { $in: heldPhases } })
        .sort({ startedAt: 1 })
        .toArray();
    },

    /** Ids of the tenant's open sessions routed to the group, at most `limit`. */
    async openInGroup(tenantId: string, groupId: string, limit: number): Promise<string[]> {
      const found = await sessions
        .find({ tenantId, groupId, phase: { $nin: ['closed', 'rated'] } })
        .limit(limit)
        .toArray();
      return found.map((s) => s._id);
    },

    /** A tenant's open sessions, for a supervisor's list; newest first, at most `limit`. */
    async openOfTenant(tenantId: string, limit: number) {
      return sessions
        .find({ tenantId, phase: { $nin: ['closed', 'rated'] } })
        .sort({ startedAt: -1 })
        .limit(limit)
        .toArray();
    },

    /** The tenant's sessions matching `filter`, newest first; `before` pages by start time. */
    async search(tenantId: string, filter: SessionFilter, limit: number) {
      const startedAt = {
        ...(filter.from ? { $gte: filter.from } : {}),
        ...(filter.to ? { $lt: filter.to } : {}),
        ...(filter.before ? { $lt: filter.before } : {}),
      };
      return sessions
        .find({
          tenantId,
          ...(filter.phase ? { phase: { $in: filter.phase } } : {}),
          ...(filter.agentId ? { agentId: filter.agentId } : {}),
          ...(filter.groupId ? { groupId: filter.groupId } : {}),
          ...(filter.visitorId ? { visitorId: filter.visitorId } : {}),
          ...(filter.tag ? { tags: filter.tag } : {}),
          ...(filter.rated ? { rating: { $exists: true } } : {}),
          ...(Object.keys(startedAt).length ? { startedAt } : {}),
        })
        .sort({ startedAt: -1 })
        .limit(limit)
        .toArray();
    },

    /** Sets or removes a tag; false when the tenant has no such session. */
    async setTag(tenantId: string, sessionId: string, tagId: string, on: boolean) {
      if (!(await owns(tenantId, sessionId))) return false;
      // Only a real change is stamped: the tag event is derived from the stamp.
      const lastTagChange = { tagId, on, at: new Date() };
      await sessions.updateOne(
        on ? { _id: sessionId, tags: { $ne: tagId } } : { _id: sessionId, tags: tagId },
        on
          ? { $addToSet: { tags: tagId }, $set: { lastTagChange } }
          : { $pull: { tags: tagId }, $set: { lastTagChange } },
      );
      return true;
    },

    /** Sessions in the given phases, for rebuilding routing state. */
    async inPhases(tenantId: string, phases: SessionPhase[]) {
      return sessions.find({ tenantId, phase: { $in: phases } }).toArray();
    },
  };
}

export interface SessionFilter {
  phase?: SessionPhase[];
  agentId?: string;
  groupId?: string;
  visitorId?: string;
  /** A tag id the session carries. */
  tag?: string;
  rated?: boolean;
  from?: Date;
  to?: Date;
  before?: Date;
}

export type SessionPatch = Partial<Omit<SessionDoc, '_id' | 'tenantId' | 'transfers' | 'tags'>> & {
  closeReason?: CloseReason;
};

export type SessionStore = ReturnType<typeof sessionStore>;
