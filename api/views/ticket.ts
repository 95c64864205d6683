import { z } from 'zod';
import { ticketEventView } from '../../events/views';
import { isoTime } from '../http/schemas';

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
  replies: z
    .array(z.object({ text: z.string(), at: isoTime }))
    .optional()
    .meta({ description: 'The shopper’s replies by email, oldest first' }),
  reopenedAt: isoTime.optional().meta({ description: 'When a reply reopened the resolved ticket' }),
});

/** The body of ticket events too (events/views.ts): one shape, built in one place. */
export const toTicketView = ticketEventView;
