import type { AgentStatus } from '../domain/agents';
import type { AgentStore } from '../stores/agents';
import type { SessionStore } from '../stores/sessions';
import type { TagStore } from '../stores/tags';
import type { TicketStore } from '../stores/tickets';
import type { Outbox } from './outbox';
import { ticketEventView } from './views';

/**
 * The stores whose writes are facts outside the session workflow, each
 * recording its event in the same call that writes the fact (wiring/engine.ts
 * hands these to the API and the worker alike, so every caller records).
 *
 * The pattern, every time: write the fact, stamping what changed and when
 * (`assignedAt`, `statusChangedAt`, `lastTagChange`) only when something
 * did; then read the stamp back and record the event whose id is derived
 * from it. A repeat that changes nothing derives the same id (already
 * recorded); a process that died between the two writes leaves the stamp,
 * and the caller's retry records the event the first call owed. Nothing is
 * recorded for a write that did not happen.
 */

export function ticketsRecordingEvents(tickets: TicketStore, outbox: Outbox): TicketStore {
  /** `ticket.created`, from the ticket as first stored: a retry of the open sees the same document. */
  const recordCreated = async (tenantId: string, ticketId: string) => {
    const doc = await tickets.get(tenantId, ticketId);
    if (doc) {
      await outbox.record({
        tenantId,
        type: 'ticket.created',
        key: ticketId,
        data: ticketEventView({
          ...doc,
          status: 'open',
          assigneeId: undefined,
          resolution: undefined,
          resolvedAt: undefined,
          updatedAt: doc.createdAt,
        }),
        visitorId: doc.visitorId,
        sessionId: doc.sessionId,
      });
    }
  };
  return {
    ...tickets,
    async openFromChat(tenantId, ticket) {
      const ticketId = await tickets.openFromChat(tenantId, ticket);
      await recordCreated(tenantId, ticketId);
      return ticketId;
    },
    async open(tenantId, sessionId, visitorId, groupId, request) {
      const ticketId = await tickets.open(tenantId, sessionId, visitorId, groupId, request);
      await recordCreated(tenantId, ticketId);
      return ticketId;
    },
    async assign(tenantId, ticketId, assigneeId) {
      const doc = await tickets.assign(tenantId, ticketId, assigneeId);
      if (doc?.assigneeId === assigneeId && doc.assignedAt) {
        await outbox.record({
          tenantId,
          type: 'ticket.assigned',
          key: `${ticketId}:${assigneeId}:${doc.assignedAt.getTime()}`,
          data: ticketEventView(doc),
          visitorId: doc.visitorId,
          sessionId: doc.sessionId,
        });
      }
      return doc;
    },
    async resolve(tenantId, ticketId, resolution) {
      const doc = await tickets.resolve(tenantId, ticketId, resolution);
      if (doc?.status === 'resolved') {
        // A ticket is resolved once: a second resolve is a no-op, its id the same.
        // A ticket a reply reopened is resolved anew: that resolution has its own event.
        await outbox.record({
          tenantId,
          type: 'ticket.resolved',
          key:
            doc.reopenedAt && doc.resolvedAt ? `${ticketId}:${doc.resolvedAt.getTime()}` : ticketId,
          data: ticketEventView(doc),
          visitorId: doc.visitorId,
          sessionId: doc.sessionId,
        });
      }
      return doc;
    },
    async reply(tenantId, ticketId, reply) {
      const replied = await tickets.reply(tenantId, ticketId, reply);
      // Also for a repeat: the first call may have died before recording; the id is the same.
      if (replied) {
        const { ticket } = replied;
        await outbox.record({
          tenantId,
          type: 'ticket.replied',
          key: `${ticketId}:${reply.externalId}`,
          data: ticketEventView(ticket),
          visitorId: ticket.visitorId,
          sessionId: ticket.sessionId,
        });
      }
      return replied;
    },
  };
}

export function agentsRecordingEvents(agents: AgentStore, outbox: Outbox): AgentStore {
  const record = async (tenantId: string, agentId: string, status: AgentStatus) => {
    const doc = await agents.getAgent(tenantId, agentId);
    if (doc?.status === status && doc.statusChangedAt) {
      await outbox.record(
        {
          tenantId,
          type: 'agent.status_changed',
          key: `${agentId}:${doc.statusChangedAt.getTime()}`,
          data: {
            agentId,
            status,
            ...(doc.previousStatus ? { previousStatus: doc.previousStatus } : {}),
            ...(doc.statusReason ? { reason: doc.statusReason } : {}),
            changedAt: doc.statusChangedAt.toISOString(),
          },
        },
        { agent: doc },
      );
    }
  };
  return {
    ...agents,
    async setStatus(tenantId: string, agentId: string, status: AgentStatus) {
      if (!(await agents.setStatus(tenantId, agentId, status))) return false;
      await record(tenantId, agentId, status);
      return true;
    },
    async changeStatusIf(tenantId, agentId, from, to) {
      const changed = await agents.changeStatusIf(tenantId, agentId, from, to);
      // Also when nothing changed: a first call that died before recording is owed its event.
      await record(tenantId, agentId, to.status);
      return changed;
    },
  };
}

const tagEventType = (on: boolean) => (on ? 'tag.added' : 'tag.removed');

export function sessionsRecordingEvents(sessions: SessionStore, outbox: Outbox): SessionStore {
  return {
    ...sessions,
    async setTag(tenantId: string, sessionId: string, tagId: string, on: boolean) {
      if (!(await sessions.setTag(tenantId, sessionId, tagId, on))) return false;
      const doc = await sessions.get(tenantId, sessionId);
      const change = doc?.lastTagChange;
      if (doc && change?.tagId === tagId && change.on === on) {
        await outbox.record({
          tenantId,
          type: tagEventType(on),
          key: `session:${sessionId}:${tagId}:${change.at.getTime()}`,
          data: { target: 'session', sessionId, tagId, tags: doc.tags ?? [] },
          visitorId: doc.visitorId,
          sessionId,
        });
      }
      return true;
    },
  };
}

export function tagsRecordingEvents(tags: TagStore, outbox: Outbox): TagStore {
  const recordCustomer = async (
    tenantId: string,
    visitorId: string,
    tagId: string,
    on: boolean,
  ) => {
    const doc = await tags.customerTagsDoc(tenantId, visitorId);
    const change = doc?.lastTagChange;
    if (doc && change?.tagId === tagId && change.on === on) {
      await outbox.record({
        tenantId,
        type: tagEventType(on),
        key: `customer:${visitorId}:${tagId}:${change.at.getTime()}`,
        data: { target: 'customer', visitorId, tagId, tags: doc.tags },
        visitorId,
      });
    }
  };
  return {
    ...tags,
    async tagCustomer(tenantId, visitorId, tagId) {
      await tags.tagCustomer(tenantId, visitorId, tagId);
      await recordCustomer(tenantId, visitorId, tagId, true);
    },
    async untagCustomer(tenantId, visitorId, tagId) {
      await tags.untagCustomer(tenantId, visitorId, tagId);
      await recordCustomer(tenantId, visitorId, tagId, false);
    },
  };
}
