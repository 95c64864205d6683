import { z } from 'zod';
import type { TicketDoc } from '../../stores/collections';
import { isoTime } from '../http/schemas';
import { defined, iso } from './fields';

export const ticketStatuses = ['open', 'assigned', 'resolved'] as const;

/** A leave-message ticket. */
export const ticketView = z.object({
  ticketId: z.string(),
  sessionId: z.string(),
  visitorId: z.string(),
  groupId: z.string().optional(),
  contact: z.object({
    name: z.string().optional(),
    phone: z.string().optional(),
    email: z.string().optional(),
    orderRef: z.string().optional(),
  }),
  content: z.string(),
  status: z.enum(ticketStatuses),
  assigneeId: z.string().optional(),
  resolution: z.string().optional(),
  createdAt: isoTime,
  updatedAt: isoTime,
  resolvedAt: isoTime.optional(),
});

export const toTicketView = (t: TicketDoc) =>
  defined({
    ticketId: t._id,
    sessionId: t.sessionId,
    visitorId: t.visitorId,
    groupId: t.groupId,
    contact: t.contact,
    content: t.content,
    status: t.status,
    assigneeId: t.assigneeId,
    resolution: t.resolution,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    resolvedAt: iso(t.resolvedAt),
  });
