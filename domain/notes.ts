import { z } from 'zod';

/**
 * Private notes: what staff write in a session for each other (the agent who
 * takes it over, a supervisor watching). A note is not a chat message: it has
 * no seq in the session's message stream, so no path that serves the shopper
 * (socket sync, HTTP resync, transcripts, mails, the API channel, message
 * events) can return one, and the shopper cannot even count them by gaps in
 * the seq. It carries the seq of the last message when it was written, which
 * places it in the console's chat among the messages.
 */
export interface SessionNote {
  sessionId: string;
  /** Unique within the session: `a:<agentId>:<clientNoteId>` for a person, `transfer:<at>` for a transfer's note. */
  noteId: string;
  /** The agent or supervisor who wrote it. */
  authorId: string;
  text: string;
  /** The seq of the session's last message when the note was written (0: before any). */
  afterSeq: number;
  /** Set on the note a transfer carried: from whom, to whom. */
  transfer?: { fromAgentId: string; toAgentId?: string; toGroupId?: string };
  createdAt: string;
}

export const noteTextSchema = z.string().trim().min(1, { message: 'must not be empty' }).max(2_000);

/** A staff member adds a note; `clientNoteId` makes a resend store it once. */
export const addNoteSchema = z.strictObject({
  text: noteTextSchema,
  clientNoteId: z.string().trim().min(1).max(100),
});
export type AddNote = z.infer<typeof addNoteSchema>;

/** The stored id of a note a person wrote: scoped by who wrote it, so nobody takes another's id. */
export function personNoteId(authorId: string, clientNoteId: string): string {
  return `a:${authorId}:${clientNoteId}`;
}
