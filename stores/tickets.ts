import type { Db } from 'mongodb';
import type { LeaveMessageRequest } from '../domain/session-commands';
import { collections, type TicketDoc } from './collections';

/** Leave-message tickets: one per session that left a message (the session id decides). */
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
            status: 'open' satisfies TicketDoc['status'],
            createdAt: now,
            updatedAt: now,
          },
        },
        { upsert: true },
      );
      return _id;
    },

    async get(tenantId: string, ticketId: string) {
      return tickets.findOne({ _id: ticketId, tenantId });
    },
  };
}

export type TicketStore = ReturnType<typeof ticketStore>;
