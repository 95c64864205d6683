import type { SessionInput, SessionPhase } from '../domain/session';
import type { CloseReason } from '../domain/session-commands';
import { tellAgent, type ActivityDeps } from './deps';
import { recordSessionEvent } from '../events/session-events';
import type { TransitionRef } from './transition';
import { postWorkflowMessage, type Notice } from './workflow-message';

type ClosingInput = Pick<SessionInput, 'tenantId' | 'sessionId'> & { visitor: { id: string } };

/** A close's one step: what the workflow knows of the session, and what it says. */
export interface SessionClose {
  transition: TransitionRef;
  input: ClosingInput;
  /** The phase closed from: a queued session leaves its queue, a reserved one drops the offered agent. */
  from: SessionPhase;
  /** The agent whose seat the session holds, if any. */
  agentId: string | undefined;
  closedAt: string;
  reason: CloseReason;
  abandoned: boolean;
  /** The closing line (none when the shopper left a message, whose thanks closes it). */
  notice?: Notice;
  /** The rating card, when an agent served and the flow asks for ratings. */
  invite?: Notice;
}

/**
 * Writes the closed projection, then frees the visitor to open a new
 * session. `agentBefore` is the agent the stored session named; without it
 * the stored session is read for it.
 */
async function recordSessionClosed(
  deps: ActivityDeps,
  input: ClosingInput,
  closedAt: string,
  reason: CloseReason,
  abandoned: boolean,
  known?: { from: SessionPhase; agentBefore: string | undefined },
): Promise<void> {
  const before = known ? undefined : await deps.sessions.get(input.tenantId, input.sessionId);
  // An offer nobody accepted gave the session no agent: the offered agent
  // neither handled it nor reads it once it has ended.
  const unaccepted = (known?.from ?? before?.phase) === 'reserved';
  const written = await deps.sessions.project(
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
  await recordSessionEvent(
    deps,
    {
      tenantId: input.tenantId,
      sessionId: input.sessionId,
      type: 'session.closed',
    },
    written,
  );
  await deps.sessions.releaseOpen(input.tenantId, input.visitor.id, input.sessionId);
  const agentBefore = known ? known.agentBefore : before?.agentId;
  tellAgent(() => deps.lists.sessionChanged(input.tenantId, input.sessionId, agentBefore, written));
}

/** The session ends: the agent's seat is freed and the closed projection frees the visitor. */
export const closingActivities = (deps: ActivityDeps) => ({
  /** Frees the agent's seat (close, or a stray decision) and assigns whoever waits for it. */
  async releaseSeat(tenantId: string, agentId: string, sessionId: string): Promise<void> {
    await deps.routing.release(tenantId, agentId, sessionId);
  },

  /** Writes the closed projection, then frees the visitor to open a new session. */
  async recordSessionClosed(
    input: ClosingInput,
    closedAt: string,
    reason: CloseReason,
    abandoned = false,
  ): Promise<void> {
    await recordSessionClosed(deps, input, closedAt, reason, abandoned);
  },

  /**
   * The close as one step, in the order of the chain it replaces: out of the
   * queue, the seat freed (the next shopper is assigned at once), the closing
   * line, the closed projection, the rating card. The decision was made in
   * the workflow; this only carries it out, and every part is safe to
   * repeat: a cancel or release of what is gone does nothing, notices are
   * stored once under their purposes.
   */
  async closeSession(close: SessionClose): Promise<void> {
    const { input } = close;
    const { tenantId, sessionId } = input;
    if (close.from === 'queued') await deps.routing.cancel(tenantId, sessionId);
    if (close.agentId) await deps.routing.release(tenantId, close.agentId, sessionId);
    // No list line is rebuilt for the notices: the close takes the session off the list.
    if (close.notice) {
      await postWorkflowMessage(deps, { tenantId, sessionId, ...close.notice }, { unheld: true });
    }
    // A reserved session's stored agent is the offered one, which the workflow has let go.
    const known =
      close.from === 'reserved' ? undefined : { from: close.from, agentBefore: close.agentId };
    await recordSessionClosed(deps, input, close.closedAt, close.reason, close.abandoned, known);
    if (close.invite) {
      await postWorkflowMessage(deps, { tenantId, sessionId, ...close.invite }, { unheld: true });
    }
  },
});
