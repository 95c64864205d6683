import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { TransferRequest } from '../../domain/session-commands';
import type { SessionState } from '../contract';
import { iso, mayAct, now, refuse, type Session } from './context';

/**
 * A transfer: the session's agent or a supervisor hands an assigned session
 * to another agent (who must be online with room) or to a group (whose
 * routing decision then arrives like any other). The router moves the seat
 * atomically; that call is the point of no return. A refusal there leaves
 * the session with its agent; after it, the transfer is recorded and the
 * shopper told.
 */

export function validateTransfer(session: Session, request: TransferRequest): void {
  const s = session.state;
  if (s.phase !== 'assigned') refuse('wrongPhase', `the session is ${s.phase}, not assigned`);
  if (request.by.type === 'visitor' || !mayAct(session, request.by)) {
    refuse('forbidden', 'only the session’s agent or a supervisor may transfer it');
  }
  if (request.toAgentId === s.agentId) {
    refuse('invalid', 'toAgentId: the session is already theirs');
  }
}

/** The transfer update: moves the seat through the router, then tells everyone. */
export async function transfer(session: Session, request: TransferRequest): Promise<SessionState> {
  const s = session.state;
  const fromAgentId = s.agentId ?? '';
  await session.enter('transferring');
  if (request.toGroupId) {
    // The group's decision arrives like any other assignment; its wait starts now.
    session.offer = undefined;
    session.awaitingAssignment = true;
    s.enqueuedAt = now();
  }
  const target = request.toAgentId
    ? { toAgentId: request.toAgentId }
    : { toGroupId: request.toGroupId ?? '' };
  let result: Awaited<ReturnType<Session['activities']['transferSeat']>>;
  try {
    result = await session.activities.transferSeat(s.tenantId, {
      sessionId: s.sessionId,
      fromAgentId,
      priority: s.priority ?? 0,
      ...target,
    });
  } catch (error) {
    // Refused by the router: nothing moved, the session stays with its agent.
    session.awaitingAssignment = false;
    await session.enter('assigned');
    const cause = error instanceof ActivityFailure ? error.cause : error;
    if (cause instanceof ApplicationFailure) refuse('unavailable', cause.message);
    throw error;
  }
  // The seat has moved: from here on the transfer is recorded and told.
  const to = request.toAgentId
    ? { toAgentId: request.toAgentId }
    : { toGroupId: request.toGroupId };
  const record = {
    at: iso(),
    fromAgentId,
    by: request.by.type === 'agent' ? request.by.agentId : request.by.type,
    ...to,
  };
  s.transfers.push(record);
  await session.activities.recordTransfer(s.tenantId, s.sessionId, {
    at: record.at,
    fromAgentId,
    ...to,
  });
  if (request.toAgentId && result.status === 'assigned') {
    await session.follow({ to: 'assign', agentId: result.agentId, notice: 'transferred' });
  } else {
    s.agentId = undefined;
    s.groupId = request.toGroupId;
    s.queuePosition = result.status === 'queued' ? result.position : undefined;
    await session.enter('queued', {
      store: {
        set: { phase: 'queued', groupId: s.groupId, enqueuedAt: s.enqueuedAt },
        unset: ['agentId'],
      },
    });
  }
  return s;
}
