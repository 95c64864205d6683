import { condition } from '@temporalio/workflow';
import type { Assignment } from '../../domain/agents';
import type { SessionState } from '../contract';
import { iso, now, refuse, waitUntil, type Session, type Transition } from './context';

/**
 * The offer: a routing decision either assigns the session at once or, in
 * a reservation group, reserves it for one agent, who accepts or declines
 * within the reservation window. A decline, a miss or a failed accept gives
 * the session back to the router, which offers it to the next agent or
 * requeues it.
 */

export function validateOfferReply(session: Session, agentId: string): void {
  const s = session.state;
  if (s.phase !== 'reserved' || s.offeredAgentId !== agentId) {
    refuse('forbidden', `the session is not offered to agent ${agentId}`);
  }
}

/** The acceptOffer and declineOffer updates: answered once the reservation is decided. */
export async function replyToOffer(
  session: Session,
  agentId: string,
  accept: boolean,
): Promise<SessionState> {
  session.offerReply = { agentId, accept };
  await condition(() => session.state.phase !== 'reserved');
  return session.state;
}

/** Takes a routing decision out of the queue. */
export async function takeOffer(
  session: Session,
  assignment: Assignment,
): Promise<Transition | undefined> {
  session.offer = undefined;
  session.awaitingAssignment = false;
  const s = session.state;
  if (!assignment.offer) {
    s.groupId = assignment.groupId;
    return { to: 'assign', agentId: assignment.agentId, notice: 'joined' };
  }
  const agentBefore = s.agentId;
  s.offeredAgentId = assignment.agentId;
  s.agentId = undefined;
  // The state query answers the offer's deadline: from the phase change on (the
  // window counts from the stored reservation, set again below).
  const reservationMs = session.flow.timeouts.reservationMs;
  s.offerExpiresAt = iso(now() + reservationMs);
  const set = {
    phase: 'reserved' as const,
    agentId: assignment.agentId,
    groupId: assignment.groupId,
  };
  await session.enter('reserved', {
    agentId: assignment.agentId,
    store: session.oneStep
      ? () =>
          session.activities.enterPhase({
            transition: session.transition('reserve'),
            tenantId: s.tenantId,
            sessionId: s.sessionId,
            set,
            agentBefore,
            notices: [],
          })
      : { set },
  });
  s.lastActivityAt = iso();
  s.offerExpiresAt = iso(Date.parse(s.lastActivityAt) + reservationMs);
  return undefined;
}

/** Waits for the offered agent's answer within the reservation window. */
export async function reservedStep(session: Session): Promise<Transition | undefined> {
  const s = session.state;
  const agentId = s.offeredAgentId ?? '';
  const deadline = Date.parse(s.lastActivityAt) + session.flow.timeouts.reservationMs;
  await waitUntil(() => session.wake() || session.offerReply !== undefined, deadline);
  const reply = session.offerReply;
  session.offerReply = undefined;
  if (session.strays.length && !reply && !session.closeRequest && now() < deadline) {
    return undefined;
  }
  if (session.closeRequest) {
    await session.activities.releaseSeat(s.tenantId, agentId, s.sessionId);
    s.offeredAgentId = undefined;
    s.offerExpiresAt = undefined;
    return { to: 'close', reason: 'abandoned' };
  }
  if (reply?.accept && (await session.activities.acceptOffer(s.tenantId, agentId, s.sessionId))) {
    s.offeredAgentId = undefined;
    s.offerExpiresAt = undefined;
    return { to: 'assign', agentId, notice: 'joined' };
  }
  // Rejected, missed or withdrawn: the router offers it to the next agent or requeues it.
  const missed = reply === undefined;
  s.offeredAgentId = undefined;
  s.offerExpiresAt = undefined;
  session.awaitingAssignment = true;
  await session.enter('queued', {
    meanwhile: () =>
      session.activities.declineOffer(
        s.tenantId,
        agentId,
        s.sessionId,
        missed && session.flow.timeouts.awayAfterMissedOffer,
      ),
    store: session.oneStep
      ? () =>
          session.activities.enterPhase({
            transition: session.transition('requeue'),
            tenantId: s.tenantId,
            sessionId: s.sessionId,
            set: { phase: 'queued' },
            unset: ['agentId'],
            agentBefore: agentId,
            notices: [],
          })
      : { set: { phase: 'queued' }, unset: ['agentId'] },
  });
  return undefined;
}
