import { personNoteId, type AddNote, type SessionNote } from '../domain/notes';
import { mayFollow, mayRead, type Viewer } from '../domain/session-access';
import type { NoteStore } from '../stores/notes';
import type { Broadcaster } from './broadcast';
import type { ChatDeps } from './chat-deps';
import { Refusal } from './refusal';
import { sessionFacts } from './session-access';

export interface NoteDeps extends Pick<ChatDeps, 'sessions' | 'messages'> {
  notes: NoteStore;
  broadcaster: Pick<Broadcaster, 'noteToSession'>;
}

type Staff = Extract<Viewer, { type: 'agent' }>;

/**
 * Staff only, whatever the session's facts say: a shopper's token never
 * reads or writes a note, even of their own session.
 */
function staffOnly(viewer: Viewer): Staff {
  if (viewer.type !== 'agent') throw new Refusal('forbidden', 'notes are for staff only');
  return viewer;
}

/**
 * A session's private notes, oldest first: for the agents who may read the
 * chat (its agent, the agent who ended it) and every supervisor of the tenant.
 */
export async function readNotes(
  deps: Pick<NoteDeps, 'sessions' | 'notes'>,
  tenantId: string,
  viewer: Viewer,
  sessionId: string,
): Promise<SessionNote[]> {
  const staff = staffOnly(viewer);
  const facts = await sessionFacts(deps.sessions, tenantId, staff, sessionId);
  if (!mayRead(staff, facts)) throw new Refusal('forbidden', `session ${sessionId} is not yours`);
  return deps.notes.list(tenantId, sessionId);
}

/**
 * A staff member writes a note in a session they hold (an agent) or watch (a
 * supervisor): stored once per client id, then sent to the session's room in
 * the agent namespace only (the shopper's sockets are in the visitor
 * namespace, which never hears `note:new`). A resend answers with the stored note.
 */
export async function addNote(
  deps: NoteDeps,
  tenantId: string,
  viewer: Viewer,
  sessionId: string,
  body: AddNote,
): Promise<SessionNote> {
  const staff = staffOnly(viewer);
  const facts = await sessionFacts(deps.sessions, tenantId, staff, sessionId);
  if (!mayFollow(staff, facts))
    throw new Refusal('forbidden', `session ${sessionId} is not held by you`);
  const afterSeq = (await deps.messages.last(tenantId, sessionId))?.seq ?? 0;
  const { note, created } = await deps.notes.add(tenantId, {
    sessionId,
    noteId: personNoteId(staff.agentId, body.clientNoteId),
    authorId: staff.agentId,
    text: body.text,
    afterSeq,
  });
  if (created) deps.broadcaster.noteToSession(tenantId, note);
  return note;
}
