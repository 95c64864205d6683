import type { SessionSummary } from '../domain/socket-events';
import type { SessionDoc } from '../stores/collections';
import type { MessageStore } from '../stores/messages';
import type { ReadMarkStore } from '../stores/read-marks';
import type { Router } from '../stores/routing/router';
import { heldPhases, type SessionStore } from '../stores/sessions';
import type { Broadcaster } from './broadcast';
import { coalescer } from './coalesce';

export interface SessionListDeps {
  sessions: SessionStore;
  /** Routing's record of an agent's seats (see listFor). */
  seats: Pick<Router, 'heldSeats'>;
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

  /**
   * The sessions an agent holds. Routing keeps each agent's seats in Redis,
   * so the projections are read by `_id`, which stays cheap however many
   * sessions the tenant has had; FerretDB (SQLite) would scan them all for
   * the query by agent. The projection still decides: a seat whose session
   * is not (or no longer) held by the agent there is left out. While Redis
   * has lost the routing state, the query answers.
   */
  async function heldBy(tenantId: string, agentId: string): Promise<SessionDoc[]> {
    const seats = await deps.seats.heldSeats(tenantId, agentId).catch(() => undefined);
    if (!seats) return deps.sessions.heldBy(tenantId, agentId);
    const docs = await Promise.all(seats.map((id) => deps.sessions.get(tenantId, id)));
    return docs
      .filter(
        (doc): doc is SessionDoc =>
          doc !== null && doc.agentId === agentId && heldPhases.includes(doc.phase),
      )
      .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  }

  async function listFor(tenantId: string, agentId: string): Promise<SessionSummary[]> {
    const docs = await heldBy(tenantId, agentId);
    return Promise.all(docs.map((doc) => summarize(doc, agentId)));
  }

  return {
    summarize,
    listFor,

    /** A supervisor's view: the tenant's open sessions (unread counts are not theirs to keep). */
    async listForSupervisor(tenantId: string): Promise<SessionSummary[]> {
      const docs = await deps.sessions.openOfTenant(tenantId, 200);
      return Promise.all(docs.map((doc) => summarize(doc)));
    },

    async pushList(tenantId: string, agentId: string): Promise<void> {
      deps.broadcaster.sessionList(tenantId, agentId, await listFor(tenantId, agentId));
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
        if (!doc?.agentId || !heldPhases.includes(doc.phase)) return;
        deps.broadcaster.sessionUpdated(tenantId, doc.agentId, await summarize(doc, doc.agentId));
      });
    },

    /**
     * The projection changed (assigned, transferred, closed): the room
     * follows the agent, the agents concerned get their whole list, and the
     * tenant's supervisors a hint that the live figures moved.
     */
    async sessionChanged(tenantId: string, sessionId: string, previousAgentId?: string) {
      const doc = await deps.sessions.get(tenantId, sessionId);
      const holder = doc?.agentId && heldPhases.includes(doc.phase) ? doc.agentId : undefined;
      if (previousAgentId !== holder) {
        deps.broadcaster.moveSession(tenantId, sessionId, previousAgentId, holder);
      }
      deps.broadcaster.statsChanged(tenantId, 'session');
      const agents = new Set([previousAgentId, doc?.agentId].filter((a) => a !== undefined));
      await Promise.all([...agents].map((agentId) => this.pushList(tenantId, agentId)));
    },
  };
}

export type SessionLists = ReturnType<typeof sessionLists>;
