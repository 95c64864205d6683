import type { SessionPhase } from './session';

/**
 * Who may read a session's messages and who may write to it. Pure rules; the
 * gateway and the HTTP API load the session (scoped by the token's tenant)
 * and ask here.
 */

export type Viewer =
  | { type: 'visitor'; sessionId: string }
  | { type: 'agent'; agentId: string; role: 'agent' | 'supervisor' };

export interface SessionFacts {
  sessionId: string;
  phase: SessionPhase;
  agentId?: string;
}

/** Phases in which the session's agent holds it: offered (to decide), assigned, or mid-transfer. */
const agentHolds: readonly SessionPhase[] = ['reserved', 'assigned', 'transferring'];
/** ...and reads it: while it holds it and, read-only, once the chat it ended is over. */
const agentReads: readonly SessionPhase[] = [...agentHolds, 'closed', 'rated'];
/** The shopper can write until the session ends (leave-message has its own form). */
const visitorWrites: readonly SessionPhase[] = [
  'robot',
  'queued',
  'reserved',
  'assigned',
  'transferring',
];

export function mayRead(viewer: Viewer, session: SessionFacts): boolean {
  if (viewer.type === 'visitor') return viewer.sessionId === session.sessionId;
  if (viewer.role === 'supervisor') return true;
  return session.agentId === viewer.agentId && agentReads.includes(session.phase);
}

/**
 * Who may follow a session live (join its room, leave read marks): as for
 * reading, except that an agent follows only the chats it holds, not those
 * that have ended.
 */
export function mayFollow(viewer: Viewer, session: SessionFacts): boolean {
  if (viewer.type === 'agent' && viewer.role === 'agent') {
    return session.agentId === viewer.agentId && agentHolds.includes(session.phase);
  }
  return mayRead(viewer, session);
}

export type WriteRefusal = 'forbidden' | 'session_closed';

/** Phases in which a supervisor may join a chat and write in it: a person serves it or will. */
export const supervisorJoins: readonly SessionPhase[] = [
  'queued',
  'reserved',
  'assigned',
  'transferring',
];

/**
 * Undefined when the viewer may send; otherwise why not. Supervisors watch;
 * they write only in a chat they joined (`supervisorJoined`: the shopper was
 * told), while it is live.
 */
export function writeRefusal(
  viewer: Viewer,
  session: SessionFacts,
  supervisorJoined = false,
): WriteRefusal | undefined {
  if (viewer.type === 'visitor') {
    if (viewer.sessionId !== session.sessionId) return 'forbidden';
    return visitorWrites.includes(session.phase) ? undefined : 'session_closed';
  }
  if (viewer.role === 'supervisor' && supervisorJoined) {
    return supervisorJoins.includes(session.phase) ? undefined : 'session_closed';
  }
  if (viewer.role !== 'agent' || session.agentId !== viewer.agentId) return 'forbidden';
  return session.phase === 'assigned' ? undefined : 'forbidden';
}
