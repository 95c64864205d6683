import type { EventType } from '../domain/events';
import type { SessionDoc } from '../stores/collections';
import type { SessionStore } from '../stores/sessions';
import type { Outbox } from './outbox';
import { sessionEventView } from './views';

export type SessionEventType = Extract<EventType, `session.${string}`>;

export interface SessionFact {
  tenantId: string;
  sessionId: string;
  type: SessionEventType;
  /**
   * Tells this occurrence from other facts of the same type in the session,
   * from the workflow's deterministic values: the transition's number, or
   * the time the workflow stamped on it (`enqueuedAt`, `assignedAt`, the
   * transfer's `at`). Absent for facts a session has once (opened, closed,
   * rated). Never the attempt's own clock: a retry must derive the same id.
   */
  occurrence?: string | number;
  /** Fields beside the session view, e.g. `transfer` for session.transferred. */
  extra?: Record<string, unknown>;
}

/**
 * Records a session event from inside the activity step that wrote the
 * transition's projection, after that write: the body is the session as the
 * transition left it (the view GET /api/v1/sessions/:id answers), the id is
 * derived from the fact (outbox.ts), so the step's retries record it once.
 * Answers the event id, or undefined when the session is not stored.
 */
export async function recordSessionEvent(
  deps: { outbox: Outbox; sessions: Pick<SessionStore, 'get'> },
  fact: SessionFact,
  /** The session as the step's own write left it (`project` answers it); read when absent. */
  written?: SessionDoc | null,
): Promise<string | undefined> {
  const doc = written ?? (await deps.sessions.get(fact.tenantId, fact.sessionId));
  if (!doc) return undefined;
  return deps.outbox.record(
    {
      tenantId: fact.tenantId,
      type: fact.type,
      key: fact.occurrence === undefined ? fact.sessionId : `${fact.sessionId}:${fact.occurrence}`,
      data: { ...sessionEventView(doc), ...fact.extra },
      visitorId: doc.visitorId,
      sessionId: fact.sessionId,
    },
    { session: doc },
  );
}
