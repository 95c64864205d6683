import { allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import type { z } from 'zod';
import type { SessionInput } from '../../domain/session';
import {
  closeRequestSchema,
  firstProblem,
  leaveMessageRequestSchema,
  offerReplySchema,
  rateRequestSchema,
  transferRequestSchema,
} from '../../domain/session-commands';
import {
  acceptOfferUpdate,
  assignedSignal,
  chatTurnSignal,
  closeUpdate,
  declineOfferUpdate,
  inviteRatingUpdate,
  leaveMessageUpdate,
  rateUpdate,
  requestHumanUpdate,
  stateQuery,
  transferUpdate,
  visitorTextSignal,
  type SessionState,
} from '../contract';
import { close, rate, validateClose, validateRate } from './closing';
import { refuse } from './context';
import { noteTurn } from './human';
import { leaveMessage, validateLeaveMessage } from './leave-message';
import { SessionMachine, type SessionCarry } from './machine';
import { replyToOffer, validateOfferReply } from './offer';
import { decisionArrived } from './queue';
import { hear, requestHuman, validateRequestHuman } from './robot';
import { inviteRating, validateInviteRating } from './rating-invite';
import { transfer, validateTransfer } from './transfer';

/** Parses an update's argument in its validator; a bad one is refused before anything changes. */
function parsed<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) refuse('invalid', firstProblem(result.error));
  return result.data;
}

/**
 * One customer session (DESIGN.md §4): this file wires signals, updates and
 * the query to the state machine (machine.ts) and to the input functions of
 * the phase they belong to. Updates (not signals) where the caller needs an
 * answer or a clear refusal; their validators reject bad input and wrong
 * phases before anything is recorded.
 */
export async function sessionWorkflow(
  input: SessionInput,
  carried?: SessionCarry,
): Promise<SessionState> {
  const session = new SessionMachine(input, carried);

  // While a message is asked for, the state carries the session's form, which the widget draws.
  setHandler(stateQuery, () =>
    session.state.phase === 'leave_message'
      ? { ...session.state, leaveMessageForm: session.flow.leaveMessageForm }
      : session.state,
  );
  setHandler(assignedSignal, (assignment) => decisionArrived(session, assignment));
  setHandler(visitorTextSignal, (message) => hear(session, message));
  setHandler(chatTurnSignal, (turn) => noteTurn(session, turn));

  setHandler(requestHumanUpdate, () => requestHuman(session), {
    validator: () => validateRequestHuman(session),
  });
  setHandler(acceptOfferUpdate, ({ agentId }) => replyToOffer(session, agentId, true), {
    validator: (reply) => validateOfferReply(session, parsed(offerReplySchema, reply).agentId),
  });
  setHandler(declineOfferUpdate, ({ agentId }) => replyToOffer(session, agentId, false), {
    validator: (reply) => validateOfferReply(session, parsed(offerReplySchema, reply).agentId),
  });
  setHandler(
    transferUpdate,
    (request) => transfer(session, parsed(transferRequestSchema, request)),
    {
      validator: (request) => validateTransfer(session, parsed(transferRequestSchema, request)),
    },
  );
  setHandler(closeUpdate, (request) => close(session, parsed(closeRequestSchema, request)), {
    validator: (request) => validateClose(session, parsed(closeRequestSchema, request)),
  });
  setHandler(rateUpdate, (request) => rate(session, parsed(rateRequestSchema, request)), {
    validator: (request) => {
      parsed(rateRequestSchema, request);
      validateRate(session);
    },
  });
  setHandler(inviteRatingUpdate, () => inviteRating(session), {
    validator: (reply) => validateInviteRating(session, parsed(offerReplySchema, reply).agentId),
  });
  setHandler(
    leaveMessageUpdate,
    (request) => leaveMessage(session, parsed(leaveMessageRequestSchema, request)),
    {
      validator: (request) => {
        validateLeaveMessage(session, parsed(leaveMessageRequestSchema, request));
      },
    },
  );

  const final = await session.run();
  // Updates waiting on the final phase answer before the workflow completes.
  await condition(allHandlersFinished);
  return final;
}
