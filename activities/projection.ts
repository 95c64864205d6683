import type { SessionPhase } from '../domain/session';
import type { CloseReason } from '../domain/session-commands';
import type { SessionPatch } from '../stores/sessions';
import { tellAgent, type ActivityDeps } from './deps';
import { recordPhaseEvent } from './events';

/** The projection fields the workflow writes, with times as ISO strings (activity arguments are JSON). */
export interface ProjectionPatch {
  phase?: SessionPhase;
  groupId?: string;
  priority?: number;
  enqueuedAt?: number;
  agentId?: string;
  assignedAt?: string;
  firstResponseAt?: string;
  slaBreachedAt?: string;
  closedAt?: string;
  closeReason?: CloseReason;
  abandoned?: boolean;
  rating?: { score: number; comment?: string; at: string };
}

const toDate = (value: string | undefined) => (value === undefined ? undefined : new Date(value));

/** The patch as the store takes it: dates for the ISO strings. */
export function toSessionPatch(patch: ProjectionPatch): SessionPatch {
  const { rating, assignedAt, firstResponseAt, slaBreachedAt, closedAt, ...rest } = patch;
  const dates = { assignedAt, firstResponseAt, slaBreachedAt, closedAt };
  return {
    ...rest,
    ...Object.fromEntries(
      Object.entries(dates).flatMap(([field, value]) =>
        value === undefined ? [] : [[field, toDate(value)]],
      ),
    ),
    ...(rating ? { rating: { ...rating, at: new Date(rating.at) } } : {}),
  };
}

/** The session's projection (what lists, reports and the API read), written as the workflow moves. */
export const projectionActivities = (deps: ActivityDeps) => ({
  async project(
    tenantId: string,
    sessionId: string,
    patch: ProjectionPatch,
    unset: (keyof ProjectionPatch)[] = [],
  ): Promise<void> {
    const handsOver = patch.phase !== undefined || patch.agentId !== undefined;
    const before = handsOver ? await deps.sessions.get(tenantId, sessionId) : null;
    const written = await deps.sessions.project(tenantId, sessionId, toSessionPatch(patch), unset);
    await recordPhaseEvent(deps, { tenantId, sessionId }, patch, written);
    if (handsOver) {
      tellAgent(() => deps.lists.sessionChanged(tenantId, sessionId, before?.agentId, written));
    }
  },
});
