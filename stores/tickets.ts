import type { Db } from 'mongodb';
import type { LeaveMessageRequest } from '../domain/session-commands';
import { collections, type TicketContext, type TicketDoc, type TicketReply } from './collections';

/** What an agent's ticket from a chat is made of (the route builds it from the session). */
export interface ChatTicket {
  ticketId: string;
  sessionId: string;
  visitorId: string;
  groupId?: string;
  contact: TicketDoc['contact'];
  content: string;
  createdBy: string;
  context: TicketContext;
}

/**
 * Tickets: leave-message ones, one per session that left a message (the
 * session id decides), and those agents make from a chat (as many as they
 * need, each with its own id).
 */
export function ticketStore(db: Db) {
  const { tickets } = collections(db);
  return {
    /** Idempotent: a retried store keeps the first ticket. Returns the ticket id. */
    async open(
      tenantId: string,
      sessionId: string,
      visitorId: string,
      groupId: string | undefined,
      request: LeaveMessageRequest,
    ): Promise<string> {
      const now = new Date();
      const _id = `ticket-${sessionId}`;
      await tickets.updateOne(
        { _id, tenantId },
        {
          $setOnInsert: {
            sessionId,
            visitorId,
            ...(groupId ? { groupId } : {}),
            contact: request.contact,
            content: request.content,
            source: 'leave_message' satisfies TicketDoc['source'],
            status: 'open' satisfies TicketDoc['status'],
            createdAt: now,
            updatedAt: now,
          },
        },
        { upsert: true },
      );
      return _id;
    },

    /** Stores an agent's ticket from a chat; the same id again keeps the first (a retried create). */
    async openFromChat(tenantId: string, ticket: ChatTicket): Promise<string> {
      const now = new Date();
      const { ticketId, groupId, ...fields } = ticket;
      await tickets.updateOne(
        { _id: ticketId, tenantId },
        {
          $setOnInsert: {
            ...fields,
            ...(groupId ? { groupId } : {}),
            source: 'chat' satisfies TicketDoc['source'],
            status: 'open' satisfies TicketDoc['status'],
            createdAt: now,
            updatedAt: now,
          },
        },
        { upsert: true },
      );
      return ticketId;
    },

    async get(tenantId: string, ticketId: string) {
      return tickets.findOne({ _id: ticketId, tenantId });
    },

    async list(
      tenantId: string,
      filter: { status?: TicketDoc['status']; assigneeId?: string; groupId?: string },
      limit: number,
    ) {
      return tickets
        .find({
          tenantId,
          ...(filter.status ? { status: filter.status } : {}),
          ...(filter.assigneeId ? { assigneeId: filter.assigneeId } : {}),
          ...(filter.groupId ? { groupId: filter.groupId } : {}),
        })
        .sort({ createdAt: -1 })
        .limit(limit)
        .toArray();
    },

    /**
     * Assigns an unresolved ticket; undefined when the tenant has no such
     * ticket. Assigning it to whom it is assigned changes nothing (its
     * `assignedAt`, which `ticket.assigned` derives from, stays).
     */
    async assign(tenantId: string, ticketId: string, assigneeId: string) {
      const now = new Date();
      await tickets.updateOne(
        { _id: ticketId, tenantId, status: { $ne: 'resolved' }, assigneeId: { $ne: assigneeId } },
        { $set: { assigneeId, status: 'assigned', assignedAt: now, updatedAt: now } },
      );
      return tickets.findOne({ _id: ticketId, tenantId });
    },

    /** Resolves the ticket (again is a no-op); undefined when the tenant has no such ticket. */
    async resolve(tenantId: string, ticketId: string, resolution: string | undefined) {
      await tickets.updateOne(
        { _id: ticketId, tenantId, status: { $ne: 'resolved' } },
        {
          $set: {
            status: 'resolved',
            resolvedAt: new Date(),
            updatedAt: new Date(),
            ...(resolution !== undefined ? { resolution } : {}),
          },
        },
      );
      return tickets.findOne({ _id: ticketId, tenantId });
    },

    /**
     * The shopper's reply (by email) appended, once per `reply.externalId`:
     * a resolved ticket reopens (to its assignee if it had one), as a help
     * desk reopens a solved ticket the customer answers. Undefined when the
     * tenant has no such ticket; `created` false when the reply was there.
     */
    async reply(
      tenantId: string,
      ticketId: string,
      reply: TicketReply,
    ): Promise<{ ticket: TicketDoc; created: boolean } | undefined> {
      for (;;) {
        const doc = await tickets.findOne({ _id: ticketId, tenantId });
        if (!doc) return undefined;
        if (doc.replies?.some((r) => r.externalId === reply.externalId)) {
          return { ticket: doc, created: false };
        }
        const reopen = doc.status === 'resolved';
        const now = new Date();
        // Compare-and-set on updatedAt: two replies at once both land, one after the other.
        const written = await tickets.updateOne(
          { _id: ticketId, tenantId, updatedAt: doc.updatedAt },
          {
            $set: {
              replies: [...(doc.replies ?? []), reply],
              updatedAt: now,
              ...(reopen ? { status: doc.assigneeId ? 'assigned' : 'open', reopenedAt: now } : {}),
            },
            ...(reopen ? { $unset: { resolvedAt: '' } } : {}),
          },
        );
        if (written.matchedCount === 1) {
          const ticket = await tickets.findOne({ _id: ticketId, tenantId });
          if (ticket) return { ticket, created: true };
        }
      }
    },
  };
}

export type TicketStore = ReturnType<typeof ticketStore>;
