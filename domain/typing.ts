import { z } from 'zod';
import { opaqueId } from './session';

/**
 * Typing indicators, both ways: ephemeral hints relayed between the two
 * sides of one session, never stored. A typing client repeats `typing: true`
 * every `typingRepeatMs` while keys are pressed and says `false` when it
 * stops or sends; the receiver shows "typing…" until `false`, or until
 * `typingExpireMs` pass without a repeat (a client that vanished).
 */
export const typingRepeatMs = 3_000;
export const typingExpireMs = 6_000;
/** The gateway relays a repeated `true` from one socket at most this often; a change always. */
export const typingRelayMs = 2_000;

export const visitorTypingSchema = z.strictObject({ typing: z.boolean() });
export const agentTypingSchema = z.strictObject({ sessionId: opaqueId, typing: z.boolean() });
