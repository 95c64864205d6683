import { mayFollow, mayRead, type SessionFacts, type Viewer } from '../domain/session-access';
import type { SessionStore } from '../stores/sessions';
import { Refusal } from './refusal';

/**
 * The facts of a session as one viewer may see them, scoped by the viewer's
 * tenant: another tenant's session is simply not found. A shopper's token
 * proves their session exists even before the workflow has projected it, so
 * a missing projection is a session still in its first (robot) phase.
 */
export async function sessionFacts(
  sessions: SessionStore,
  tenantId: string,
  viewer: Viewer,
  sessionId: string,
): Promise<SessionFacts> {
  if (viewer.type === 'visitor' && viewer.sessionId !== sessionId) {
    throw new Refusal('forbidden', 'a visitor token opens its own session only');
  }
  const facts = await sessions.facts(tenantId, sessionId);
  if (facts) return { sessionId, ...facts };
  if (viewer.type === 'visitor') return { sessionId, phase: 'robot' };
  throw new Refusal('not_found', `no session ${sessionId}`);
}

/** The facts, or a refusal when the viewer may not read the session. */
export async function readableSession(
  sessions: SessionStore,
  tenantId: string,
  viewer: Viewer,
  sessionId: string,
): Promise<SessionFacts> {
  const facts = await sessionFacts(sessions, tenantId, viewer, sessionId);
  if (!mayRead(viewer, facts)) {
    throw new Refusal('forbidden', `session ${sessionId} is not assigned to you`);
  }
  return facts;
}

/** The facts, or a refusal when the viewer may not follow the session live (see mayFollow). */
export async function followableSession(
  sessions: SessionStore,
  tenantId: string,
  viewer: Viewer,
  sessionId: string,
): Promise<SessionFacts> {
  const facts = await sessionFacts(sessions, tenantId, viewer, sessionId);
  if (!mayFollow(viewer, facts)) {
    throw new Refusal('forbidden', `session ${sessionId} is not held by you`);
  }
  return facts;
}
