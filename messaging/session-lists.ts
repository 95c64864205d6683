import type { SessionSummary } from '../domain/socket-events';
import type { SessionDoc } from '../stores/collections';
import type { MessageStore } from '../stores/messages';
import type { ReadMarkStore } from '../stores/read-marks';
import { heldPhases, type SessionStore } from '../stores/sessions';
import type { Broadcaster } from './broadcast';
import { coalescer } from './coalesce';

/** The agent whose list shows the session: its agent while it holds a seat. */
const holderOf = (doc: SessionDoc | null): string | undefined =>
  doc?.agentId && heldPhases.includes(doc.phase) ? doc.agentId : undefined;

export interface SessionListDeps {
  sessions: SessionStore;
  messages: MessageStore;
  reads: ReadMarkStore;
  broadcaster: Broadcaster;
}

/**
 * Agents' session lists, built from MongoDB (the projection, the messages and
 * the read marks). The whole list is read when an agent's console connects
 * or asks; after that, one line is pushed to the agent's room on every node
 * whenever it changes (a lifecycle change, a message, a read), and a line
 * that leaves the list goes with `session:removed`.
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

  /** What the agent holds, from the projection: on connecting and when asked. */
  const listFor = async (tenantId: string, agentId: string): Promise<SessionSummary[]> => {
    const docs = await deps.sessions.heldBy(tenantId, agentId);
    return Promise.all(docs.map((doc) => summarize(doc, agentId)));
  };

  return {
    summarize,
    listFor,

    /** A supervisor's view: the tenant's open sessions (unread counts are not theirs to keep). */
    async listForSupervisor(tenantId: string): Promise<SessionSummary[]> {
      const docs = await deps.sessions.openOfTenant(tenantId, 200);
      return Promise.all(docs.map((doc) => summarize(doc)));
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
     * The projection changed (assigned, offered, transferred, closed): the
     * room follows the agent, and an agent the session left is told it is
     * gone (`session:removed`, by the move); the tenant's supervisors get a
     * hint that the live figures moved. The line itself is `pushLine`'s.
     */
    sessionMoved(
      tenantId: string,
      sessionId: string,
      previousAgentId: string | undefined,
      written: SessionDoc | null,
    ): void {
      const holder = holderOf(written);
      if (previousAgentId !== holder) {
        deps.broadcaster.moveSession(tenantId, sessionId, previousAgentId, holder);
      }
      deps.broadcaster.statsChanged(tenantId, 'session');
    },

    /**
     * The session's line, to the agent that holds it, as its messages stand
     * now. Only the changed line is sent: every other line is pushed when it
     * changes, and a console that connects gets the whole list.
     */
    async pushLine(tenantId: string, written: SessionDoc | null): Promise<void> {
      const holder = holderOf(written);
      if (written && holder) {
        deps.broadcaster.sessionUpdated(tenantId, holder, await summarize(written, holder));
      }
    },

    /** Both of the above, for a change that posts nothing after it. */
    async sessionChanged(
      tenantId: string,
      sessionId: string,
      previousAgentId?: string,
      /** The session as the caller's write left it; read when absent. */
      written?: SessionDoc | null,
    ) {
      const doc = written ?? (await deps.sessions.get(tenantId, sessionId));
      this.sessionMoved(tenantId, sessionId, previousAgentId, doc);
      await this.pushLine(tenantId, doc);
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
