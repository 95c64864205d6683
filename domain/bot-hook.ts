import { z } from 'zod';
import { messageLimits, cardSchema } from './message-send';
import type { Channel, Entry } from './session';

/**
 * The bot hook: a tenant's own bot (an LLM agent, Dialogflow, a rules
 * engine) answers the shopper in the robot phase, before the FAQ robot.
 * Each shopper text is POSTed to the tenant's URL, signed as webhooks are;
 * the bot answers with a text, a card, or "hand over to a person". A bot
 * that is slow, down, or answers something else is skipped for that text:
 * the FAQ robot answers it as it would without a hook (docs/bot-hook.md).
 */

export const botHookLimits = {
  /** The bot's deadline per shopper text, all retries included. */
  timeoutMs: { min: 500, max: 10_000, default: 3_000 },
  /** Suggestions (tappable chips) a bot answer may carry. */
  suggestions: 10,
  /** Transcript messages sent along, oldest first, the shopper's text last. */
  recentMessages: 10,
  /** Bytes of an answer body read; a longer one is refused as it arrives. */
  answerBytes: 64 * 1024,
} as const;

/** What an admin sets (the URL is checked against the SSRF policy by the route). */
export const botHookSettingsSchema = z.strictObject({
  url: z.string().min(1).max(2_000),
  timeoutMs: z
    .number()
    .int()
    .min(botHookLimits.timeoutMs.min)
    .max(botHookLimits.timeoutMs.max)
    .default(botHookLimits.timeoutMs.default)
    .meta({
      description: `The bot's deadline per shopper text, retries included (${botHookLimits.timeoutMs.min}–${botHookLimits.timeoutMs.max} ms); past it the FAQ robot answers`,
    }),
  active: z.boolean().default(true),
});
export type BotHookSettings = z.output<typeof botHookSettingsSchema>;

const answerText = z
  .string()
  .max(messageLimits.textChars)
  .refine((value) => value.trim().length > 0, { message: 'must not be empty' });
const suggestions = z
  .array(z.string().trim().min(1).max(200))
  .max(botHookLimits.suggestions)
  .optional();

/**
 * What the bot may answer (validated where the answer arrives, the bot
 * being an outside system): a text with suggestions, a product or order
 * card with an optional caption, or a hand-over to a person with an
 * optional line said before it. Unknown fields are ignored, so a bot may
 * answer with more than the engine reads.
 */
export const botAnswerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: answerText, suggestions }),
  z.object({
    type: z.literal('card'),
    card: cardSchema,
    text: z.string().max(messageLimits.captionChars).optional(),
    suggestions,
  }),
  z.object({ type: z.literal('handover'), text: answerText.optional() }),
]);
export type BotAnswer = z.output<typeof botAnswerSchema>;

/** A transcript line as the bot sees it. */
export interface BotTranscriptLine {
  seq: number;
  sender: 'visitor' | 'agent' | 'robot' | 'system';
  kind: string;
  text: string;
  createdAt: string;
}

/** The body POSTed to the bot for each shopper text in the robot phase. */
export interface BotRequest {
  type: 'message.received';
  tenantId: string;
  sessionId: string;
  /** The shopper's text: its stored id (the same text retried carries the same id) and words. */
  message: { id: string; text: string };
  visitor: { id: string; name?: string; tags: string[] };
  entry: Entry;
  channel: Channel;
  /** The latest messages of the session, oldest first, the shopper's text among them. */
  recentMessages: BotTranscriptLine[];
  /** When this request was made (ISO 8601). */
  sentAt: string;
}

/** How a bot turn ended, as the workflow reads it. */
export type BotOutcome = 'answered' | 'handover' | 'no-hook';

/** Failure types a bot turn ends with when the FAQ robot answers instead. */
export const botFailureTypes = {
  /** The bot answered 2xx with a body that is not an answer: asking again would not help. */
  badAnswer: 'BotBadAnswer',
  /** The hook's URL is refused by the address policy. */
  refused: 'BotRefused',
  /** Unreachable, timed out, or answered non-2xx: asked again while the deadline allows. */
  unavailable: 'BotUnavailable',
  /** The turn's deadline passed (retries included). */
  deadline: 'BotDeadline',
} as const;
