import { condition } from '@temporalio/workflow';
import { endedPhases } from '../../domain/phases';
import type { CloseReason, CloseRequest, RateRequest } from '../../domain/session-commands';
import type { SessionState } from '../contract';
import { iso, mayAct, notice, refuse, waitUntil, type Session, type Transition } from './context';
import { rateMidChat, ratesMidChat } from './rating-invite';

/**
 * Closing and rating: a close (asked for, or by a deadline) frees what the
 * session holds, tells the shopper and records the close; a session an agent
 * served then invites a rating for the rating window.
 */

export function validateClose(session: Session, request: CloseRequest): void {
  if (endedPhases.includes(session.state.phase)) {
    refuse('wrongPhase', 'the session is already closed');
  }
  if (request.by.type === 'agent' && !mayAct(session, request.by)) {
    refuse('forbidden', 'only the session’s agent or a supervisor may close it');
  }
}

/** The close update: the phase step that is waiting closes; answered once closed. */
export async function close(session: Session, request: CloseRequest): Promise<SessionState> {
  session.closeRequest ??= request;
  await condition(() => endedPhases.includes(session.state.phase));
  return session.state;
}

/** Closes: frees the agent's seat first (the next shopper is assigned at once), then tells and records. */
export async function finish(
  session: Session,
  reason: CloseReason,
  decidedAt?: string,
): Promise<Transition | undefined> {
  const s = session.state;
  const f = session.flow;
  // The moment of the decision (a deadline, a request), not after the clean-up calls.
  const closedAt = decidedAt ?? iso();
  if (session.oneStep) return closeInOneStep(session, reason, closedAt);
  if (s.phase === 'queued') await session.activities.cancelQueued(s.tenantId, s.sessionId);
  if (s.agentId) await session.activities.releaseSeat(s.tenantId, s.agentId, s.sessionId);
  const text = reason === 'idle' ? f.templates.idleClosed : f.templates.closed;
  if (reason !== 'left_message') await session.post('closed', text, 'system');
  s.closeReason = reason;
  s.closedAt = closedAt;
  // The closed projection is stored with the close's domain event and report rollup.
  await session.enter('closed', {
    store: () =>
      session.activities.recordSessionClosed(
        session.input,
        closedAt,
        reason,
        reason === 'abandoned',
      ),
  });
  session.awaitingAssignment = false;
  if (!(s.assignedAt && f.rating.enabled)) session.finished = true;
  return undefined;
}

/**
 * The close as one step (patches.ts `oneStepTransitions`): the decision is
 * made here; the step frees the queue place or the seat, tells the shopper,
 * records the close and invites the rating. The phase changes once it has
 * run, so a close update is answered with the seat already free.
 */
async function closeInOneStep(
  session: Session,
  reason: CloseReason,
  closedAt: string,
): Promise<Transition | undefined> {
  const s = session.state;
  const f = session.flow;
  const from = s.phase;
  const closingLine =
    reason === 'left_message'
      ? undefined
      : notice('closed', reason === 'idle' ? f.templates.idleClosed : f.templates.closed);
  const rated = Boolean(s.assignedAt && f.rating.enabled);
  // Invited mid-chat already (rating-invite.ts): no second card.
  const invite =
    rated && !s.ratingInvitedAt
      ? notice('rating-invite', f.templates.ratingInvite, 'system', 'rating')
      : undefined;
  session.posted += (closingLine ? 1 : 0) + (invite ? 1 : 0);
  s.closeReason = reason;
  s.closedAt = closedAt;
  await session.enter('closed', {
    storeFirst: true,
    store: () =>
      session.activities.closeSession({
        transition: session.transition('close'),
        input: session.input,
        from,
        agentId: s.agentId,
        closedAt,
        reason,
        abandoned: reason === 'abandoned',
        ...(closingLine ? { notice: closingLine } : {}),
        ...(invite ? { invite } : {}),
      }),
  });
  session.ratingInvited = rated;
  session.awaitingAssignment = false;
  if (!rated) session.finished = true;
  return undefined;
}

export function validateRate(session: Session): void {
  const s = session.state;
  const open = s.phase === 'closed' || ratesMidChat(session);
  if (!open || !s.assignedAt || !session.flow.rating.enabled) {
    refuse('wrongPhase', 'this session takes no rating now');
  }
  if (s.rating || session.pendingRating) refuse('wrongPhase', 'the session is already rated');
}

/** The rate update: answered once the rating is stored. */
export async function rate(session: Session, request: RateRequest): Promise<SessionState> {
  if (ratesMidChat(session)) return rateMidChat(session, request);
  session.pendingRating = request;
  await condition(() => session.state.phase === 'rated');
  return session.state;
}

/** After a close: invites a rating if an agent served, and waits the rating window for it. */
export async function ratingStep(session: Session): Promise<Transition | undefined> {
  const s = session.state;
  const f = session.flow;
  if (!s.assignedAt || !f.rating.enabled) {
    session.finished = true;
    return undefined;
  }
  if (!session.ratingInvited && !s.ratingInvitedAt) {
    await session.post('rating-invite', f.templates.ratingInvite, 'system', 'rating');
  }
  // A rating given mid-chat is in the state (it outlives a continue-as-new; the request does not).
  const windowPassed = !(await waitUntil(
    () =>
      session.pendingRating !== undefined || s.rating !== undefined || session.strays.length > 0,
    Date.parse(s.closedAt ?? iso()) + f.timeouts.ratingWindowMs,
  ));
  if (windowPassed) {
    session.finished = true;
    return undefined;
  }
  const request = session.pendingRating;
  // A rating given mid-chat keeps its own time.
  const rating =
    s.rating ??
    (request ? { score: request.score, comment: request.comment, at: iso() } : undefined);
  if (!rating) return undefined;
  s.rating = rating;
  if (session.oneStep) {
    // One step: the rated projection, then the thanks.
    const thanks = notice('rating-thanks', f.templates.ratingThanks);
    session.posted++;
    await session.enter('rated', {
      storeFirst: true,
      store: () =>
        session.activities.enterPhase({
          transition: session.transition('rate'),
          tenantId: s.tenantId,
          sessionId: s.sessionId,
          set: { phase: 'rated', rating },
          agentBefore: s.agentId,
          notices: [thanks],
        }),
    });
    return undefined;
  }
  await session.enter('rated', {
    storeFirst: true,
    store: { set: { phase: 'rated', rating } },
    meanwhile: () => session.post('rating-thanks', f.templates.ratingThanks, 'system'),
  });
  return undefined;
}
