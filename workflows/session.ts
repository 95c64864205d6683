import { allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import type { SessionInput } from '../domain/session';
import {
  closeRequestSchema,
  firstProblem,
  leaveMessageRequestSchema,
  offerReplySchema,
  rateRequestSchema,
  transferRequestSchema,
} from '../domain/session-commands';
import type { z } from 'zod';
import {
  acceptOfferUpdate,
  assignedSignal,
  chatTurnSignal,
  closeUpdate,
  declineOfferUpdate,
  leaveMessageUpdate,
  rateUpdate,
  requestHumanUpdate,
  stateQuery,
  transferUpdate,
  visitorTextSignal,
  type SessionState,
} from './contract';
import { refuse, SessionMachine, type SessionCarry } from './session-machine';

/** Parses an update's argument in its validator; a bad one is refused before anything changes. */
function parsed<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) refuse('invalid', firstProblem(result.error));
  return result.data;
}

/**
 * One customer session (DESIGN.md §4): this file wires signals, updates and
 * the query to the state machine in session-machine.ts. Updates (not
 * signals) where the caller needs an answer or a clear refusal; their
 * validators reject bad input and wrong phases before anything is recorded.
 */
export async function sessionWorkflow(
  input: SessionInput,
  carried?: SessionCarry,
): Promise<SessionState> {
  const machine = new SessionMachine(input, carried);

  setHandler(stateQuery, () => machine.state);
  setHandler(assignedSignal, (assignment) => machine.onAssigned(assignment));
  setHandler(visitorTextSignal, (message) => machine.onVisitorText(message));
  setHandler(chatTurnSignal, (turn) => machine.onTurn(turn));

  setHandler(requestHumanUpdate, () => machine.requestHuman(), {
    validator: () => machine.validateRequestHuman(),
  });
  setHandler(acceptOfferUpdate, ({ agentId }) => machine.replyToOffer(agentId, true), {
    validator: (reply) => machine.validateOfferReply(parsed(offerReplySchema, reply).agentId),
  });
  setHandler(declineOfferUpdate, ({ agentId }) => machine.replyToOffer(agentId, false), {
    validator: (reply) => machine.validateOfferReply(parsed(offerReplySchema, reply).agentId),
  });
  setHandler(
    transferUpdate,
    (request) => machine.transfer(parsed(transferRequestSchema, request)),
    {
      validator: (request) => machine.validateTransfer(parsed(transferRequestSchema, request)),
    },
  );
  setHandler(closeUpdate, (request) => machine.close(parsed(closeRequestSchema, request)), {
    validator: (request) => machine.validateClose(parsed(closeRequestSchema, request)),
  });
  setHandler(rateUpdate, (request) => machine.rate(parsed(rateRequestSchema, request)), {
    validator: (request) => {
      parsed(rateRequestSchema, request);
      machine.validateRate();
    },
  });
  setHandler(
    leaveMessageUpdate,
    (request) => machine.leaveMessage(parsed(leaveMessageRequestSchema, request)),
    {
      validator: (request) => {
        parsed(leaveMessageRequestSchema, request);
        machine.validateLeaveMessage();
      },
    },
  );

  const final = await machine.run();
  // Updates waiting on the final phase answer before the workflow completes.
  await condition(allHandlersFinished);
  return final;
}
