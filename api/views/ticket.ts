import { z } from 'zod';
import { channels, entrySchema } from '../../domain/session';
import { ticketEventView } from '../../events/views';
import { isoTime } from '../http/schemas';

export const ticketStatuses = ['open', 'assigned', 'resolved'] as const;

export const ticketSources = ['leave_message', 'chat'] as const;

/** A ticket: a message the shopper left, or one an agent made from a chat. */
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
  source: z.enum(ticketSources).meta({
    description: '`leave_message`: the shopper left it; `chat`: an agent made it from the chat',
  }),
  createdBy: z.string().optional().meta({ description: 'The agent who made it from the chat' }),
  context: z
    .object({
      entry: entrySchema,
      channel: z.enum(channels),
      agentId: z.string().optional(),
      lastMessages: z.array(
        z.object({ seq: z.number(), sender: z.string(), text: z.string(), at: isoTime }),
      ),
    })
    .optional()
    .meta({ description: 'Chat tickets: the chat as it stood, its latest lines (text only)' }),
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
