import type { SessionSummary } from '../domain/socket-events';
import type { SessionDoc } from '../stores/collections';
import type { MessageStore } from '../stores/messages';
import type { ReadMarkStore } from '../stores/read-marks';
import type { RoutingService } from '../routing/service';
import { heldPhases, type SessionStore } from '../stores/sessions';
import type { Broadcaster } from './broadcast';
import { coalescer } from './coalesce';

/** The agent whose list shows the session: its agent while it holds a seat. */
const holderOf = (doc: SessionDoc | null): string | undefined =>
  doc?.agentId && heldPhases.includes(doc.phase) ? doc.agentId : undefined;

export interface SessionListDeps {
  sessions: SessionStore;
  /** Routing's record of an agent's seats, for list pushes (see seatedWith). */
  seats: Pick<RoutingService, 'heldSeats'>;
  messages: MessageStore;
  reads: ReadMarkStore;
  broadcaster: Broadcaster;
}

/**
 * Agents' session lists, built from MongoDB (the projection, the messages and
 * the read marks) and pushed to the agent's room on every node. Lists are
 * small (bounded by an agent's capacity), so a push sends the whole list on
 * lifecycle changes and one line on messages and reads.
 */
export function sessionLists(deps: SessionListDeps) {
  // A line costs five queries, and on FerretDB (SQLite) the two message queries scan the
  // collection: a busy session's line is rebuilt at most once a second, from the latest state.
  const coalesce = coalescer(1_000);
  async function summarize(doc: SessionDoc, reader?: string): Promise<SessionSummary> {
    const { tenantId, _id: sessionId } = doc;
    const [agentRead, visitorReadSeq] = await Promise.all([
      reader ? deps.reads.get(tenantId, sessionId, { type: 'agent', id: reader }) : 0,
      deps.reads.get(tenantId, sessionId, { type: 'visitor' }),
    ]);
    const { last, unreadFromVisitor: unread } = await deps.messages.glance(
      tenantId,
      sessionId,
      agentRead,
    );
    return {
      sessionId,
      visitorId: doc.visitorId,
      channel: doc.channel,
      entry: doc.entry,
      phase: doc.phase,
      ...(doc.agentId ? { agentId: doc.agentId } : {}),
      ...(doc.assignedAt ? { assignedAt: doc.assignedAt.toISOString() } : {}),
      ...transferNoteOf(doc),
      ...(last
        ? {
            lastMessage: {
              seq: last.seq,
              kind: last.kind,
              sender: last.sender,
              text: last.text,
              createdAt: last.createdAt,
            },
          }
        : {}),
      unread,
      visitorReadSeq,
    };
  }

  const heldByAgent =
    (agentId: string) =>
    (doc: SessionDoc | null): doc is SessionDoc =>
      doc !== null && holderOf(doc) === agentId;
  const oldestFirst = (a: SessionDoc, b: SessionDoc) =>
    a.startedAt.getTime() - b.startedAt.getTime();

  /**
   * The sessions an agent holds, for a push after a lifecycle change: those
   * routing seats with the agent in Redis, plus the session that changed,
   * read by `_id` — cheap however many sessions the tenant has had, where
   * the query by agent scans them all on FerretDB (SQLite). The projection
   * decides what is shown. A held session whose seat routing does not show
   * (its state lost, or out of step) can be missing from a push; the list an
   * agent gets on connecting or asking comes from the projection alone.
   */
  async function seatedWith(
    tenantId: string,
    agentId: string,
    changed: SessionDoc | null,
  ): Promise<SessionDoc[]> {
    const seats = await deps.seats.heldSeats(tenantId, agentId).catch(() => undefined);
    if (!seats) return deps.sessions.heldBy(tenantId, agentId);
    const ids = new Set(seats);
    if (changed) ids.delete(changed._id);
    const docs = await Promise.all([...ids].map((id) => deps.sessions.get(tenantId, id)));
    return [...docs, changed].filter(heldByAgent(agentId)).sort(oldestFirst);
  }

  const linesFor = (docs: SessionDoc[], agentId: string) =>
    Promise.all(docs.map((doc) => summarize(doc, agentId)));

  /** What the agent holds, from the projection: on connecting and when asked. */
  const listFor = async (tenantId: string, agentId: string): Promise<SessionSummary[]> =>
    linesFor(await deps.sessions.heldBy(tenantId, agentId), agentId);

  return {
    summarize,
    listFor,

    /** A supervisor's view: the tenant's open sessions (unread counts are not theirs to keep). */
    async listForSupervisor(tenantId: string): Promise<SessionSummary[]> {
      const docs = await deps.sessions.openOfTenant(tenantId, 200);
      return Promise.all(docs.map((doc) => summarize(doc)));
    },

    /** Pushes the agent's whole list after `changed` (read just before) moved. */
    async pushList(tenantId: string, agentId: string, changed: SessionDoc | null): Promise<void> {
      const docs = await seatedWith(tenantId, agentId, changed);
      deps.broadcaster.sessionList(tenantId, agentId, await linesFor(docs, agentId));
    },

    /**
     * A message arrived or something was read: the holding agent's line
     * changes. Pushes of one session that arrive while one is being built
     * (or spaced) fold into a single later push, which reads the state after
     * all of them (see coalescer).
     */
    pushUpdated(tenantId: string, sessionId: string): Promise<void> {
      return coalesce(`${tenantId}\u0000${sessionId}`, async () => {
        const doc = await deps.sessions.get(tenantId, sessionId);
        const holder = holderOf(doc);
        if (!doc || !holder) return;
        deps.broadcaster.sessionUpdated(tenantId, holder, await summarize(doc, holder));
      });
    },

    /**
     * The projection changed (assigned, transferred, closed): the room
     * follows the agent, the agents concerned get their whole list, and the
     * tenant's supervisors a hint that the live figures moved.
     */
    async sessionChanged(
      tenantId: string,
      sessionId: string,
      previousAgentId?: string,
      /** The session as the caller's write left it; read when absent. */
      written?: SessionDoc | null,
    ) {
      const doc = written ?? (await deps.sessions.get(tenantId, sessionId));
      const holder = holderOf(doc);
      if (previousAgentId !== holder) {
        deps.broadcaster.moveSession(tenantId, sessionId, previousAgentId, holder);
      }
      deps.broadcaster.statsChanged(tenantId, 'session');
      const agents = new Set([previousAgentId, doc?.agentId].filter((a) => a !== undefined));
      await Promise.all([...agents].map((agentId) => this.pushList(tenantId, agentId, doc)));
    },
  };
}

export type SessionLists = ReturnType<typeof sessionLists>;

/**
 * The note of the session's latest transfer, when it carried one: the
 * receiving agent reads it in the list line and the offer alert (the full
 * note is also among the session's staff notes).
 */
function transferNoteOf(doc: SessionDoc): Pick<SessionSummary, 'transferNote'> {
  const latest = doc.transfers?.at(-1);
  return latest?.note
    ? { transferNote: { fromAgentId: latest.fromAgentId, note: latest.note } }
    : {};
}
