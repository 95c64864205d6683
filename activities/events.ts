import type { SessionPhase } from '../domain/session';
import type { SessionDoc } from '../stores/collections';
import { recordSessionEvent, type SessionFact } from '../events/session-events';
import type { ActivityDeps } from './deps';
import type { ProjectionPatch } from './projection';

/**
 * The session's domain events (DESIGN.md §12), recorded by the step that
 * records the fact, right after its projection write: a retried step derives
 * the same event id (events/outbox.ts), so it records the event once, and a
 * step that died after its write records the missing event when Temporal
 * retries it. `occurrence` comes from values the workflow decided (the
 * transition id, the times it stamped), never from this attempt's clock.
 */

/** Phase changes that are events of their own; opened, closed and transferred have their own steps. */
const phaseEvents: Partial<Record<SessionPhase, SessionFact['type']>> = {
  queued: 'session.queued',
  assigned: 'session.assigned',
  rated: 'session.rated',
};

/**
 * The event of a projection write that changes the phase, if that phase is
 * one. `transitionId` is the one-step transition's id; runs begun before one
 * step per transition have none, and their facts are told apart by the
 * times the workflow stamped (the queue's group and arrival, the assignment).
 */
export async function recordPhaseEvent(
  deps: Pick<ActivityDeps, 'outbox' | 'sessions'>,
  at: { tenantId: string; sessionId: string; transitionId?: string },
  patch: ProjectionPatch,
  written?: SessionDoc | null,
): Promise<void> {
  const type = patch.phase && phaseEvents[patch.phase];
  if (!type) return;
  const stamped =
    type === 'session.assigned'
      ? patch.assignedAt
      : type === 'session.queued'
        ? queuedOccurrence(patch)
        : undefined;
  const occurrence = type === 'session.rated' ? undefined : (at.transitionId ?? stamped);
  await recordSessionEvent(
    deps,
    {
      tenantId: at.tenantId,
      sessionId: at.sessionId,
      type,
      occurrence,
    },
    written,
  );
}

/** A wait in a group's queue: its group and its arrival, the same on every re-assert of it. */
export function queuedOccurrence(patch: { groupId?: string; enqueuedAt?: number }): string {
  return `${patch.groupId ?? ''}:${patch.enqueuedAt ?? ''}`;
}
