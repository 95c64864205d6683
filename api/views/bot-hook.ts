import { z } from 'zod';
import type { BotHookDoc } from '../../stores/collections';
import { isoTime } from '../http/schemas';

/** A tenant's bot hook as the admin API shows it: never the secret, but on create and rotate. */

export const botHookView = z.object({
  url: z.string(),
  timeoutMs: z
    .number()
    .meta({ description: "The bot's deadline per shopper text, retries included" }),
  active: z.boolean(),
  createdAt: isoTime,
  updatedAt: isoTime,
});

export const createdBotHook = botHookView.extend({
  secret: z.string().meta({
    description: 'The signing secret; shown only when the hook is created and on rotate',
  }),
});

export const toBotHookView = (doc: BotHookDoc) => ({
  url: doc.url,
  timeoutMs: doc.timeoutMs,
  active: doc.active,
  createdAt: doc.createdAt.toISOString(),
  updatedAt: doc.updatedAt.toISOString(),
});
