import { z } from 'zod';
import { chatMessage } from './message';

/** What a channel's backend learns when it opens a session or relays a shopper's message. */

export const channelSession = z.object({
  sessionId: z.string(),
  visitorId: z.string(),
  opened: z.boolean().meta({ description: 'true: a new session; false: the shopper’s open one' }),
});

export const channelMessage = channelSession.extend({ message: chatMessage });
