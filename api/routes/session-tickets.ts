import { z } from 'zod';
import { opaqueId } from '../../domain/session';
import type { SessionStore } from '../../stores/sessions';
import type { endpoints } from '../http/endpoint';
import { sessionStaffMayRead } from '../use-cases/staff-session';
import { ticketFromChat, type TicketFromChatDeps } from '../use-cases/ticket-from-chat';
import { ticketView, toTicketView } from '../views';

export interface SessionTicketDeps extends TicketFromChatDeps {
  sessions: Pick<SessionStore, 'get'>;
}

/** `POST /api/v1/sessions/:sessionId/tickets`: an agent makes a ticket from the chat. */
export function sessionTicketRoutes(api: ReturnType<typeof endpoints>, deps: SessionTicketDeps) {
  api.add({
    method: 'post',
    path: '/api/v1/sessions/:sessionId/tickets',
    tag: 'tickets',
    summary:
      'Make a ticket from a chat, linked to the session and its customer (agents, supervisors)',
    description:
      'For the staff who may see the session (the agent holding it or who ended it, supervisors). The ticket ' +
      'keeps the customer’s contact from the profile, the order the chat was opened from, and the chat’s latest ' +
      'lines. `assigneeId` must be an agent of the tenant; an agent may assign only to themselves. ' +
      'Records `ticket.created` (and `ticket.assigned`). Send an `Idempotency-Key` to make a retry safe.',
    roles: ['agent', 'supervisor'],
    params: z.strictObject({ sessionId: opaqueId }),
    body: z.strictObject({
      content: z
        .string()
        .trim()
        .min(1)
        .max(2_000)
        .meta({ description: 'What is to be done, in the agent’s words' }),
      assigneeId: opaqueId
        .optional()
        .meta({ description: 'An agent of the tenant to assign it to' }),
    }),
    responses: { 201: { description: 'The ticket', schema: ticketView } },
    errors: {
      403: 'The agent may not see this session, or assigns to someone else',
      404: "No such session in the token's tenant",
    },
    async handle({ params, body, principal }) {
      const { session, staff } = await sessionStaffMayRead(
        deps.sessions,
        principal,
        params.sessionId,
      );
      const doc = await ticketFromChat(deps, staff, session, body);
      return { status: 201, body: toTicketView(doc) };
    },
  });
}
