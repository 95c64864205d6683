import { z } from 'zod';
import type { Principal } from '../../domain/access';
import { opaqueId } from '../../domain/session';
import type { Viewer } from '../../domain/session-access';
import type { ChatDeps } from '../../messaging/chat-deps';
import { readEarlierMessages, readMessages } from '../../messaging/read-messages';
import { Refusal } from '../../messaging/refusal';
import { AppError, refusalError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { decimalInteger } from '../http/schemas';
import { messagePage } from '../views';

export interface SessionMessageDeps {
  chat: Pick<ChatDeps, 'sessions' | 'messages'>;
}

export const messagesQuerySchema = z
  .strictObject({
    afterSeq: decimalInteger({ min: 0 })
      .default(0)
      .meta({ description: 'Messages after this seq (resync); 0 for the start' }),
    beforeSeq: decimalInteger({ min: 1 }).optional().meta({
      description:
        'Instead of afterSeq: the latest `limit` messages before this seq (history paged backwards)',
    }),
    limit: decimalInteger({ min: 1, max: 200 }).default(100),
  })
  .refine((query) => query.beforeSeq === undefined || query.afterSeq === 0, {
    path: ['beforeSeq'],
    message: 'give afterSeq or beforeSeq, not both',
  });

export const messagesParamsSchema = z.strictObject({ sessionId: opaqueId });

/** Who reads: a shopper (its one session) or staff (the sessions messaging lets them see). */
function viewerOf(principal: Principal | undefined): { tenantId: string; viewer: Viewer } {
  switch (principal?.role) {
    case 'visitor':
      return {
        tenantId: principal.tenantId,
        viewer: { type: 'visitor', sessionId: principal.sessionId },
      };
    case 'agent':
    case 'supervisor':
      return {
        tenantId: principal.tenantId,
        viewer: { type: 'agent', agentId: principal.agentId, role: principal.role },
      };
    default:
      // The route's session-token credential admits no other principal.
      throw new AppError(403, 'forbidden', 'Only a visitor or agent token reads messages');
  }
}

/**
 * `GET /api/v1/sessions/:sessionId/messages?afterSeq=&limit=`: the HTTP
 * resync, for clients that reconnect or found a gap; `?beforeSeq=` pages
 * back through older history (the console's "load earlier"). It takes the
 * tokens the chat sockets take: a visitor token reads its own session; an
 * agent token the sessions it holds; a supervisor's any session of its tenant.
 */
export function sessionMessageRoutes(api: ReturnType<typeof endpoints>, deps: SessionMessageDeps) {
  api.add({
    method: 'get',
    path: '/api/v1/sessions/:sessionId/messages',
    tag: 'sessions',
    summary:
      'Messages of a session after a seq (the resync after a gap or a reconnect) or before one (older history), in order, paged',
    roles: ['visitor', 'agent', 'supervisor'],
    credential: 'session-token',
    params: messagesParamsSchema,
    query: messagesQuerySchema,
    responses: {
      200: {
        description:
          'Messages with seq > afterSeq (or the latest ones with seq < beforeSeq), in order; `hasMore` says whether more follow (or, with beforeSeq, precede)',
        schema: messagePage,
      },
    },
    errors: {
      403: 'The token may not read this session',
      404: "No such session in the token's tenant",
    },
    async handle({ params, query, principal }) {
      const { tenantId, viewer } = viewerOf(principal);
      const { afterSeq, beforeSeq, limit } = query;
      const { sessionId } = params;
      try {
        const page =
          beforeSeq === undefined
            ? await readMessages(deps.chat, tenantId, viewer, sessionId, afterSeq, limit)
            : await readEarlierMessages(deps.chat, tenantId, viewer, sessionId, beforeSeq, limit);
        return { status: 200, body: page };
      } catch (error) {
        if (error instanceof Refusal) {
          throw refusalError(error);
        }
        throw error;
      }
    },
  });
}
