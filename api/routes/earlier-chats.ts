import { z } from 'zod';
import { endedPhases, opaqueId } from '../../domain/session';
import type { MessageStore } from '../../stores/messages';
import type { SessionStore } from '../../stores/sessions';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { decimalInteger } from '../http/schemas';
import { messagePage } from '../views';

export interface EarlierChatDeps {
  sessions: Pick<SessionStore, 'get' | 'search'>;
  messages: Pick<MessageStore, 'listAfter'>;
}

/**
 * An earlier chat of a customer, read-only: the console's customer panel
 * opens the customer's past chats beside the one the agent serves, whoever
 * served them. The same people as the customer's history
 * (customer-sessions.ts): an agent who holds or has held one of the
 * customer's sessions, and supervisors. Only chats that have ended: a live
 * one is its agent's, read through the chat itself.
 */
export function earlierChatRoutes(api: ReturnType<typeof endpoints>, deps: EarlierChatDeps) {
  api.add({
    method: 'get',
    path: '/api/v1/customers/:visitorId/sessions/:sessionId/messages',
    tag: 'sessions',
    summary:
      'The messages of an ended chat of a customer, read-only (agents: customers they serve or have served)',
    roles: ['agent', 'supervisor'],
    params: z.strictObject({ visitorId: opaqueId, sessionId: opaqueId }),
    query: z.strictObject({
      afterSeq: decimalInteger({ min: 0 }).default(0),
      limit: decimalInteger({ min: 1, max: 200 }).default(100),
    }),
    responses: { 200: { description: 'A page of messages, in order', schema: messagePage } },
    errors: {
      404: 'No such customer (for agents: not one of theirs), or no ended chat of theirs with this id',
    },
    async handle({ params, query, principal }) {
      if (principal?.role !== 'agent' && principal?.role !== 'supervisor') {
        throw new AppError(403, 'forbidden', 'Only an agent or supervisor token reads this');
      }
      const { tenantId } = principal;
      const { visitorId, sessionId } = params;
      if (principal.role === 'agent') {
        const [served] = await deps.sessions.search(
          tenantId,
          { visitorId, agentId: principal.agentId },
          1,
        );
        if (!served) throw new AppError(404, 'not_found', `No customer ${visitorId}`);
      }
      const session = await deps.sessions.get(tenantId, sessionId);
      if (session?.visitorId !== visitorId || !endedPhases.includes(session.phase)) {
        throw new AppError(404, 'not_found', `No ended chat ${sessionId} of ${visitorId}`);
      }
      const page = await deps.messages.listAfter(tenantId, sessionId, query.afterSeq, query.limit);
      return { status: 200, body: page };
    },
  });
}
