import { z } from 'zod';

/**
 * Quick replies (常用语): canned texts an agent inserts while chatting.
 * Tenant-wide ones are managed by admins; personal ones belong to one agent.
 */

export const quickReplySchema = z.strictObject({
  /** What the agent types to find it, e.g. `/thanks`. */
  shortcut: z.string().trim().min(1).max(40),
  text: z.string().trim().min(1).max(2_000),
});
export type QuickReplyInput = z.infer<typeof quickReplySchema>;

export const quickReplyScopes = ['tenant', 'personal'] as const;
export type QuickReplyScope = (typeof quickReplyScopes)[number];

export interface QuickReply extends QuickReplyInput {
  id: string;
  scope: QuickReplyScope;
  /** The agent a personal quick reply belongs to. */
  ownerId?: string;
}

/**
 * Case-insensitive substring search over shortcut and text. Done in code, not
 * as a `$regex` query, so a user's search text is never read as a pattern.
 */
export function matchesSearch(reply: QuickReplyInput, search: string | undefined): boolean {
  if (!search) return true;
  const needle = search.toLowerCase();
  return reply.shortcut.toLowerCase().includes(needle) || reply.text.toLowerCase().includes(needle);
}
