import { ActivityFailure, ApplicationFailure, condition } from '@temporalio/workflow';
import type { TransferRequest } from '../../domain/session-commands';
import type { SessionState } from '../contract';
import {
  iso,
  mayAct,
  now,
  refuse,
  type PendingTransfer,
  type Session,
  type Transition,
} from './context';
import { hasPatch, patches } from './patches';

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
  // One transfer at a time: a second one waits for nothing and is refused.
  if (session.pendingTransfer) refuse('wrongPhase', 'the session is being transferred');
}

/**
 * The transfer update: records the request and waits for the run loop to
 * move the seat (`takeTransfer`). Runs from before patches.ts
 * `transferInLoop` move it here in the handler, as they were recorded.
 */
export async function transfer(session: Session, request: TransferRequest): Promise<SessionState> {
  if (!hasPatch(patches.transferInLoop)) {
    await session.follow(await moveSeat(session, request));
    return session.state;
  }
  const pending: PendingTransfer = { request, taken: false };
  session.pendingTransfer = pending;
  // Answered by the loop; if the session left the human phase first (a deadline closed
  // it), the transfer never started and is refused like one that came too late.
  await condition(
    () => pending.outcome !== undefined || (!pending.taken && session.state.phase !== 'assigned'),
  );
  if (session.pendingTransfer === pending) session.pendingTransfer = undefined;
  const { outcome } = pending;
  if (!outcome) refuse('wrongPhase', `the session is ${session.state.phase}, not assigned`);
  if ('error' in outcome) throw outcome.error;
  return outcome.state;
}

/** The run loop's part: moves the seat for the pending transfer and answers its update. */
export async function takeTransfer(session: Session): Promise<Transition | undefined> {
  const pending = session.pendingTransfer;
  session.pendingTransfer = undefined;
  if (!pending) return undefined;
  pending.taken = true;
  try {
    await session.follow(await moveSeat(session, pending.request));
    pending.outcome = { state: session.state };
  } catch (error) {
    // A refusal (or the router's failure) answers the update; the session stays with its agent.
    pending.outcome = { error };
  }
  return undefined;
}

/**
 * Moves the seat atomically through the router, records the transfer, and
 * says where the session goes: to the new agent, or back to a queue.
 */
async function moveSeat(
  session: Session,
  request: TransferRequest,
): Promise<Transition | undefined> {
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
  // The note travels in the activity's input only (inputs are not matched on
  // replay), so recorded histories replay without a patch.
  await session.activities.recordTransfer(s.tenantId, s.sessionId, {
    at: record.at,
    fromAgentId,
    ...to,
    ...(request.note ? { note: request.note, by: record.by } : {}),
    // The holding this transfer ends names it across workflow-task attempts (`at` does not).
    ...(s.assignedAt ? { heldSince: s.assignedAt } : {}),
  });
  if (request.toAgentId && result.status === 'assigned') {
    return { to: 'assign', agentId: result.agentId, notice: 'transferred' };
  }
  s.agentId = undefined;
  s.groupId = request.toGroupId;
  s.queuePosition = result.status === 'queued' ? result.position : undefined;
  await session.enter('queued', {
    store: {
      set: { phase: 'queued', groupId: s.groupId, enqueuedAt: s.enqueuedAt },
      unset: ['agentId'],
    },
  });
  return undefined;
}
