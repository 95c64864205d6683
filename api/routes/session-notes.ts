import { z } from 'zod';
import type { Principal } from '../../domain/access';
import { addNoteSchema } from '../../domain/notes';
import { opaqueId } from '../../domain/session';
import type { Viewer } from '../../domain/session-access';
import { Refusal } from '../../messaging/refusal';
import { addNote, readNotes, type NoteDeps } from '../../messaging/session-notes';
import { AppError, refusalError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { sessionNote } from '../views';

const notesParams = z.strictObject({ sessionId: opaqueId });

/** Staff read and write notes as the chat sockets see them (an agent, or a supervisor). */
function staffViewer(principal: Principal | undefined): { tenantId: string; viewer: Viewer } {
  if (principal?.role !== 'agent' && principal?.role !== 'supervisor') {
    throw new AppError(403, 'forbidden', 'Only agents and supervisors read and write notes');
  }
  return {
    tenantId: principal.tenantId,
    viewer: { type: 'agent', agentId: principal.agentId, role: principal.role },
  };
}

async function answering<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof Refusal) throw refusalError(error);
    throw error;
  }
}

/**
 * `/api/v1/sessions/:sessionId/notes`: private notes between staff in a
 * session (messaging/session-notes.ts). No shopper credential reaches them:
 * the routes take agent and supervisor tokens only.
 */
export function sessionNoteRoutes(api: ReturnType<typeof endpoints>, deps: NoteDeps) {
  api.add({
    method: 'get',
    path: '/api/v1/sessions/:sessionId/notes',
    tag: 'sessions',
    summary: 'A session’s private staff notes, oldest first (never shown to the shopper)',
    roles: ['agent', 'supervisor'],
    params: notesParams,
    responses: {
      200: { description: 'The notes, oldest first', schema: z.array(sessionNote) },
    },
    errors: {
      403: 'The caller may not read this session',
      404: "No such session in the caller's tenant",
    },
    async handle({ params, principal }) {
      const { tenantId, viewer } = staffViewer(principal);
      const notes = await answering(() => readNotes(deps, tenantId, viewer, params.sessionId));
      return { status: 200, body: notes };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/sessions/:sessionId/notes',
    tag: 'sessions',
    summary:
      'Write a private note in a session (its agent, or a supervisor); colleagues see it, the shopper never does',
    roles: ['agent', 'supervisor'],
    params: notesParams,
    body: addNoteSchema,
    responses: {
      201: { description: 'The stored note (the original one on a resend)', schema: sessionNote },
    },
    errors: {
      403: 'The caller does not hold this session',
      404: "No such session in the caller's tenant",
    },
    async handle({ params, body, principal }) {
      const { tenantId, viewer } = staffViewer(principal);
      const note = await answering(() => addNote(deps, tenantId, viewer, params.sessionId, body));
      return { status: 201, body: note };
    },
  });
}
