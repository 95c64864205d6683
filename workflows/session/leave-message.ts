import { condition } from '@temporalio/workflow';
import { missingRequiredField } from '../../domain/leave-message-form';
import type { LeaveMessageRequest } from '../../domain/session-commands';
import type { SessionState } from '../contract';
import {
  closeReasonOf,
  iso,
  notice,
  refuse,
  waitUntil,
  type Session,
  type Transition,
} from './context';

/**
 * Leave a message: when nobody can take the chat (outside working hours, no
 * room in the queue or its overflow, too long a wait), the shopper is asked
 * for a message, which becomes a ticket. No message within the window closes
 * the session.
 */

export function validateLeaveMessage(session: Session, request: LeaveMessageRequest): void {
  const { phase } = session.state;
  if (phase !== 'leave_message' || session.pendingLeaveMessage) {
    refuse('wrongPhase', `the session is ${phase}, not waiting for a message`);
  }
  // The session's own snapshot of the form: a flow edited later changes nothing here.
  // (A validator runs only for new updates, never on replay: no patch is needed.)
  const missing = missingRequiredField(session.flow.leaveMessageForm, request);
  if (missing) refuse('invalid', missing);
}

/** The leaveMessage update: answered once the ticket is open (or the phase is over). */
export async function leaveMessage(
  session: Session,
  request: LeaveMessageRequest,
): Promise<SessionState> {
  session.pendingLeaveMessage = request;
  await condition(
    () => session.state.ticketId !== undefined || session.state.phase !== 'leave_message',
  );
  return session.state;
}

/** Asks for a message: the stored session shows the phase before the shopper is asked. */
export async function offerLeaveMessage(session: Session): Promise<Transition | undefined> {
  const s = session.state;
  if (session.oneStep) {
    // One step: the stored phase, then the ask.
    const ask = notice('leave-message', session.flow.templates.leaveMessage);
    session.posted++;
    await session.enter('leave_message', {
      storeFirst: true,
      store: () =>
        session.activities.enterPhase({
          transition: session.transition('leave-message'),
          tenantId: s.tenantId,
          sessionId: s.sessionId,
          set: { phase: 'leave_message' },
          agentBefore: undefined,
          notices: [ask],
        }),
    });
    s.lastActivityAt = iso();
    return undefined;
  }
  await session.enter('leave_message', {
    storeFirst: true,
    store: { set: { phase: 'leave_message' } },
    meanwhile: async () => {
      await session.post('leave-message', session.flow.templates.leaveMessage, 'system');
      s.lastActivityAt = iso();
    },
  });
  return undefined;
}

/** Waits for the shopper's message within the window, then opens the ticket and closes. */
export async function leaveMessageStep(session: Session): Promise<Transition | undefined> {
  const s = session.state;
  const deadline = Date.parse(s.lastActivityAt) + session.flow.timeouts.leaveMessageWindowMs;
  const ready = () => session.wake() || session.pendingLeaveMessage !== undefined;
  const windowPassed = !(await waitUntil(ready, deadline));
  if (windowPassed) return { to: 'close', reason: 'leave_message_timeout' };
  if (session.closeRequest && !session.pendingLeaveMessage) {
    return { to: 'close', reason: closeReasonOf(session, session.closeRequest.by) };
  }
  const request = session.pendingLeaveMessage;
  if (!request) return undefined;
  s.ticketId = await session.activities.openTicket(session.input, s.groupId, request);
  await session.post('leave-message-thanks', session.flow.templates.leaveMessageThanks, 'system');
  return { to: 'close', reason: 'left_message' };
}
