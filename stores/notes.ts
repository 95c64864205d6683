import type { Db } from 'mongodb';
import type { SessionNote } from '../domain/notes';
import { collections, type NoteDoc } from './collections';
import { isDuplicateKey } from './mongo-errors';

/** At most this many notes are read back for one session: a chat's notes, not an archive. */
const noteLimit = 500;

const noteKey = (tenantId: string, sessionId: string, noteId: string) =>
  `${tenantId}/${sessionId}/${noteId}`;

const toNote = ({ _id: _key, tenantId: _tenant, createdAt, ...note }: NoteDoc): SessionNote => ({
  ...note,
  createdAt: createdAt.toISOString(),
});

/**
 * Staff-only notes of sessions (domain/notes.ts), kept apart from the
 * messages so that nothing that reads messages for the shopper can reach one.
 */
export function noteStore(db: Db) {
  const { notes } = collections(db);
  return {
    /**
     * Stores a note once per (session, noteId): a resend or a retried
     * activity finds the stored one and gets it back (`created: false`).
     */
    async add(
      tenantId: string,
      note: Omit<SessionNote, 'createdAt'>,
      at = new Date(),
    ): Promise<{ note: SessionNote; created: boolean }> {
      const doc: NoteDoc = {
        ...note,
        _id: noteKey(tenantId, note.sessionId, note.noteId),
        tenantId,
        createdAt: at,
      };
      try {
        await notes.insertOne(doc);
        return { note: toNote(doc), created: true };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const stored = await notes.findOne({ _id: doc._id, tenantId });
        if (!stored) throw error;
        return { note: toNote(stored), created: false };
      }
    },

    /** A session's notes, oldest first. */
    async list(tenantId: string, sessionId: string): Promise<SessionNote[]> {
      const docs = await notes
        .find({ tenantId, sessionId })
        .sort({ createdAt: 1, _id: 1 })
        .limit(noteLimit)
        .toArray();
      return docs.map(toNote);
    },

    /** Removes the notes of these sessions (a customer erased, retention). */
    async removeForSessions(tenantId: string, sessionIds: string[]): Promise<number> {
      if (sessionIds.length === 0) return 0;
      return (await notes.deleteMany({ tenantId, sessionId: { $in: sessionIds } })).deletedCount;
    },
  };
}

export type NoteStore = ReturnType<typeof noteStore>;
