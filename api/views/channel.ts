import { z } from 'zod';
import { chatMessage } from './message';
import { ticketView } from './ticket';

/** What a channel's backend learns when it opens a session or relays a shopper's message. */

export const channelSession = z.object({
  sessionId: z.string(),
  visitorId: z.string(),
  opened: z.boolean().meta({ description: 'true: a new session; false: the shopper’s open one' }),
});

export const channelMessage = channelSession.extend({ message: chatMessage });

/** What the email inbound did with a reply: a message in a session, or a reply on a ticket. */
export const emailInboundResult = z.union([
  channelMessage.extend({ thread: z.literal('session') }),
  z.object({ thread: z.literal('ticket'), ticket: ticketView }),
]);
