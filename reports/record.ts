import type { Db } from 'mongodb';
import type { ChatMessage } from '../domain/message';
import {
  ratingPart,
  sessionParts,
  spanParts,
  type EndedSession,
  type Part,
} from '../domain/reports';
import {
  collections,
  type AgentDoc,
  type ReportFactDoc,
  type SessionDoc,
} from '../stores/collections';
import { anyGroup } from '../stores/hours';
import { messageStore } from '../stores/messages';
import { isDuplicateKey } from '../stores/mongo-errors';
import { markDirty } from './rollups';

/**
 * Report facts, recorded by the step that records the session's fact (the
 * outbox wrapper in outbox.ts calls these right after the domain event).
 *
 * The story of one fact, and why a crash or a retry never counts twice:
 *
 * 1. Queued and assigned are **marks**: the group and arrival, the agent and
 *    assignment time the workflow stamped, added with `$addToSet` to the
 *    session's marks document, so a repeat adds nothing. They count for
 *    nothing yet: they are what the waits are measured from at the end.
 * 2. Closed and rated are **facts**: the session's contributions, computed
 *    once from the stored session, its marks and its messages
 *    (domain/reports.ts), inserted under `<tenant>/<kind>:<session>`. The
 *    insert is the decision: a second insert collides and changes nothing,
 *    whatever its attempt computed.
 * 3. Then the fact's local days are marked **dirty** (rollups.ts), whether
 *    the insert was new or a collision: a step that died after its insert
 *    and before its mark is retried by Temporal, collides, and marks then.
 *
 * Rollups are refreshed from the facts of the dirty days (never incremented
 * in place), so they are always a function of the fact log.
 */

/**
 * Each hook takes the session as the step's projection write left it (the
 * step read it to build the event, events/session-events.ts), so recording
 * reads it no second time.
 */
export interface ReportRecorder {
  /** The session by key, for a caller that does not hold it (null if not the tenant's). */
  session(tenantId: string, sessionId: string): Promise<SessionDoc | null>;
  /** A wait began, an agent took the session, or both (a transfer), or an agent stayed silent: one marks write. */
  marked(
    doc: SessionDoc,
    marks: { wait?: boolean; assignment?: boolean; silence?: { agentId: string; at: Date } },
  ): Promise<void>;
  closed(doc: SessionDoc): Promise<void>;
  rated(doc: SessionDoc): Promise<void>;
  /** The agent's status changed: the stretch in the status it left is a fact. */
  statusChanged(agent: AgentDoc): Promise<void>;
}

const factId = (tenantId: string, kind: ReportFactDoc['kind'], sessionId: string) =>
  `${tenantId}/${kind}:${sessionId}`;

/**
 * The tenant's report time zone: its tenant-wide reception schedule's, else
 * UTC. Read by key (`_id` alone: FerretDB v1 scans for any other filter).
 */
export async function tenantTimeZone(db: Db, tenantId: string): Promise<string> {
  const doc = await collections(db).hours.findOne({ _id: `${tenantId}:${anyGroup}:reception` });
  return doc?.tenantId === tenantId ? doc.schedule.timeZone : 'UTC';
}

/** Every message of a session, in seq order, by key lookups (stores/message-docs.ts says why). */
export async function sessionMessages(
  messages: ReturnType<typeof messageStore>,
  tenantId: string,
  sessionId: string,
): Promise<ChatMessage[]> {
  const all: ChatMessage[] = [];
  for (let after = 0; ;) {
    const page = await messages.listAfter(tenantId, sessionId, after, 200);
    all.push(...page.messages);
    if (!page.hasMore || page.messages.length === 0) return all;
    after = page.messages.at(-1)?.seq ?? after;
  }
}

/**
 * Who held the session when: each assignment (workflow clock) until the
 * first of the agent's transfer away, the next assignment, or the close.
 */
function holdsOf(
  assignments: { agentId: string; assignedAt: Date }[],
  transfers: { at: Date; fromAgentId: string }[],
  closedAt: Date,
): EndedSession['holds'] {
  return assignments.flatMap((a, i) => {
    const from = a.assignedAt.getTime();
    const ends = [
      closedAt.getTime(),
      ...(assignments[i + 1] ? [assignments[i + 1]?.assignedAt.getTime() ?? Infinity] : []),
      ...transfers
        .filter((t) => t.fromAgentId === a.agentId && t.at.getTime() >= from)
        .map((t) => t.at.getTime()),
    ];
    const to = Math.min(...ends);
    return to > from ? [{ agentId: a.agentId, from: a.assignedAt, to: new Date(to) }] : [];
  });
}

/** The ended session as the report reads it, from its projection and its marks. */
export async function endedSession(db: Db, doc: SessionDoc): Promise<EndedSession> {
  const marks = await collections(db).reportMarks.findOne({
    _id: `${doc.tenantId}/${doc._id}`,
  });
  const waits = [...(marks?.waits ?? [])].sort((a, b) => a.enqueuedAt - b.enqueuedAt);
  const assignments = [...(marks?.assignments ?? [])].sort(
    (a, b) => a.assignedAt.getTime() - b.assignedAt.getTime(),
  );
  return {
    sessionId: doc._id,
    channel: doc.channel,
    startedAt: doc.startedAt,
    ...(doc.groupId ? { groupId: doc.groupId } : {}),
    ...(doc.agentId ? { agentId: doc.agentId } : {}),
    ...(doc.closedAt ? { closedAt: doc.closedAt } : {}),
    ...(doc.closeReason ? { closeReason: doc.closeReason } : {}),
    ...(doc.abandoned ? { abandoned: true } : {}),
    slaBreached: doc.slaBreachedAt !== undefined,
    transfers: (doc.transfers ?? []).map((t) => ({ at: t.at, fromAgentId: t.fromAgentId })),
    silences: (marks?.silences ?? []).map((s) => ({ agentId: s.agentId, at: s.at })),
    waits: waits.map((w) => {
      // A wait ends at the first assignment after it (both stamped by the workflow).
      const next = assignments.find((a) => a.assignedAt.getTime() >= w.enqueuedAt);
      const ended = next && waits.find((o) => o.enqueuedAt > w.enqueuedAt);
      const taken = next && (!ended || next.assignedAt.getTime() <= ended.enqueuedAt);
      return {
        groupId: w.groupId,
        enqueuedAt: new Date(w.enqueuedAt),
        ...(taken ? { assignedAt: next.assignedAt, agentId: next.agentId } : {}),
      };
    }),
    agents: assignments.map((a) => a.agentId),
    invited: assignments.length > 0,
    holds: doc.closedAt ? holdsOf(assignments, doc.transfers ?? [], doc.closedAt) : [],
  };
}

/**
 * The tenant's report time zone as the recorder reads it: kept for
 * `zoneCacheMs`, so a session's close and rating do not each read the
 * schedule (a change of zone applies to facts recorded from then on anyway).
 */
const zoneCacheMs = 30_000;

export function reportRecorder(db: Db): ReportRecorder {
  const { sessions, reportMarks } = collections(db);
  const messages = messageStore(db);
  const zones = new Map<string, { zone: Promise<string>; until: number }>();
  const zoneOf = (tenantId: string): Promise<string> => {
    const cached = zones.get(tenantId);
    if (cached && cached.until > Date.now()) return cached.zone;
    const zone = tenantTimeZone(db, tenantId);
    zones.set(tenantId, { zone, until: Date.now() + zoneCacheMs });
    zone.catch(() => zones.delete(tenantId));
    return zone;
  };

  const record = (doc: NewFact) => insertFact(db, doc);

  return {
    // By key alone, then the tenant checked here: FerretDB scans for a filter of two fields.
    async session(tenantId, sessionId) {
      const doc = await sessions.findOne({ _id: sessionId });
      return doc?.tenantId === tenantId ? doc : null;
    },

    async marked(doc, marks) {
      const wait =
        marks.wait && doc.groupId && doc.enqueuedAt !== undefined
          ? { waits: { groupId: doc.groupId, enqueuedAt: doc.enqueuedAt } }
          : undefined;
      const assignment =
        marks.assignment && doc.agentId && doc.assignedAt
          ? { assignments: { agentId: doc.agentId, assignedAt: doc.assignedAt } }
          : undefined;
      const silence = marks.silence ? { silences: marks.silence } : undefined;
      if (!wait && !assignment && !silence) return;
      await reportMarks.updateOne(
        { _id: `${doc.tenantId}/${doc._id}` },
        {
          $setOnInsert: { tenantId: doc.tenantId, sessionId: doc._id },
          $addToSet: { ...wait, ...assignment, ...silence },
        },
        { upsert: true },
      );
    },

    async closed(doc) {
      await recordClosed(db, messages, doc, record, zoneOf);
    },

    async rated(doc) {
      if (!doc.rating) return;
      await recordRated(db, doc, record, zoneOf);
    },

    async statusChanged(agent) {
      const { previousStatus: status, previousStatusChangedAt: from, statusChangedAt: to } = agent;
      // Offline time is nobody's; a first change has no known start.
      if (!from || !to || (status !== 'online' && status !== 'away')) return;
      const timeZone = await zoneOf(agent.tenantId);
      await record({
        _id: `${agent.tenantId}/status:${agent.agentId}:${to.getTime()}`,
        tenantId: agent.tenantId,
        kind: 'status',
        agentId: agent.agentId,
        parts: spanParts(agent.agentId, status, from, to, timeZone),
      });
    },
  };
}

export type NewFact = Omit<ReportFactDoc, 'days' | 'recordedAt'>;
type Record = (doc: NewFact) => Promise<void>;

/** Inserts the fact unless it is recorded, then marks its days dirty either way. */
export async function insertFact(db: Db, doc: NewFact): Promise<void> {
  const { reportFacts } = collections(db);
  const days = [...new Set(doc.parts.map((p: Part) => p.day))];
  try {
    await reportFacts.insertOne({ ...doc, days, recordedAt: new Date() });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    // Recorded before: mark the days the first record named.
    const first = await reportFacts.findOne({ _id: doc._id });
    await markDirty(db, doc.tenantId, first?.days ?? days);
    return;
  }
  await markDirty(db, doc.tenantId, days);
}

/** The session's fact, from what is stored (also what a rebuild runs). */
export async function recordClosed(
  db: Db,
  messages: ReturnType<typeof messageStore>,
  doc: SessionDoc,
  record: Record,
  zoneOf: (tenantId: string) => Promise<string> = (t) => tenantTimeZone(db, t),
): Promise<void> {
  const [timeZone, ended, stored] = await Promise.all([
    zoneOf(doc.tenantId),
    endedSession(db, doc),
    sessionMessages(messages, doc.tenantId, doc._id),
  ]);
  const { parts, row } = sessionParts(ended, stored, timeZone);
  await record({
    _id: factId(doc.tenantId, 'session', doc._id),
    tenantId: doc.tenantId,
    kind: 'session',
    sessionId: doc._id,
    parts,
    startedAt: doc.startedAt,
    row,
  });
}

export async function recordRated(
  db: Db,
  doc: SessionDoc,
  record: Record,
  zoneOf: (tenantId: string) => Promise<string> = (t) => tenantTimeZone(db, t),
): Promise<void> {
  if (!doc.rating) return;
  const timeZone = await zoneOf(doc.tenantId);
  const part = ratingPart(
    doc.rating,
    {
      ...(doc.groupId ? { groupId: doc.groupId } : {}),
      ...(doc.agentId ? { agentId: doc.agentId } : {}),
    },
    timeZone,
  );
  await record({
    _id: factId(doc.tenantId, 'rating', doc._id),
    tenantId: doc.tenantId,
    kind: 'rating',
    sessionId: doc._id,
    parts: [part],
  });
}
