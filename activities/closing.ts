import type { SessionInput } from '../domain/session';
import type { CloseReason } from '../domain/session-commands';
import { tellAgent, type ActivityDeps } from './deps';

/** The session ends: the agent's seat is freed and the closed projection frees the visitor. */
export const closingActivities = (deps: ActivityDeps) => ({
  /** Frees the agent's seat (close, or a stray decision) and assigns whoever waits for it. */
  async releaseSeat(tenantId: string, agentId: string, sessionId: string): Promise<void> {
    await deps.routing.release(tenantId, agentId, sessionId);
  },

  /** Writes the closed projection, then frees the visitor to open a new session. */
  async recordSessionClosed(
    input: Pick<SessionInput, 'tenantId' | 'sessionId'> & { visitor: { id: string } },
    closedAt: string,
    reason: CloseReason,
    abandoned = false,
  ): Promise<void> {
    const before = await deps.sessions.get(input.tenantId, input.sessionId);
    // An offer nobody accepted gave the session no agent: the offered agent
    // neither handled it nor reads it once it has ended.
    const unaccepted = before?.phase === 'reserved';
    await deps.sessions.project(
      input.tenantId,
      input.sessionId,
      {
        phase: 'closed',
        closedAt: new Date(closedAt),
        closeReason: reason,
        ...(abandoned ? { abandoned } : {}),
      },
      unaccepted ? ['agentId'] : [],
    );
    await deps.sessions.releaseOpen(input.tenantId, input.visitor.id, input.sessionId);
    tellAgent(() => deps.lists.sessionChanged(input.tenantId, input.sessionId, before?.agentId));
  },
});
