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

/** The facts, or a refusal when `allowed` says the viewer may not do this with the session. */
async function permitted(
  allowed: (viewer: Viewer, facts: SessionFacts) => boolean,
  because: string,
  ...[sessions, tenantId, viewer, sessionId]: Parameters<typeof sessionFacts>
): Promise<SessionFacts> {
  const facts = await sessionFacts(sessions, tenantId, viewer, sessionId);
  if (!allowed(viewer, facts)) throw new Refusal('forbidden', `session ${sessionId} ${because}`);
  return facts;
}

/** The facts, or a refusal when the viewer may not read the session. */
export const readableSession = (...args: Parameters<typeof sessionFacts>) =>
  permitted(mayRead, 'is not assigned to you', ...args);

/** The facts, or a refusal when the viewer may not follow the session live (see mayFollow). */
export const followableSession = (...args: Parameters<typeof sessionFacts>) =>
  permitted(mayFollow, 'is not held by you', ...args);
