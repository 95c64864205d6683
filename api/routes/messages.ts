import { Router, type Request } from 'express';
import { z } from 'zod';
import { opaqueId } from '../../domain/session';
import type { Viewer } from '../../domain/session-access';
import type { ChatDeps } from '../../messaging/chat-deps';
import { readEarlierMessages, readMessages } from '../../messaging/read-messages';
import { Refusal } from '../../messaging/refusal';
import { verifyAgentToken, verifyVisitorToken } from '../../runtime/tokens';
import type { StaffAccessCheck } from '../auth/staff-access';
import type { TenantSuspension } from '../auth/tenant-suspension';
import { AppError, validate } from '../errors';
import { decimalInteger } from '../http/schemas';

export interface MessageRouteDeps {
  tokenSecret: string;
  suspension: TenantSuspension;
  chat: Pick<ChatDeps, 'sessions' | 'messages'>;
  /** Refuses staff tokens logged out, revoked, or of deactivated or deleted accounts. */
  staffAccess: StaffAccessCheck;
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

/** Who the bearer token says the caller is: a shopper (one session) or staff (one tenant). */
async function bearer(
  req: Request,
  secret: string,
  staffAccess: StaffAccessCheck,
): Promise<{ tenantId: string; viewer: Viewer }> {
  const header = req.get('authorization') ?? '';
  const token = /^Bearer (\S+)$/i.exec(header)?.[1];
  const visitor = verifyVisitorToken(secret, token);
  if (visitor) {
    return {
      tenantId: visitor.tenantId,
      viewer: { type: 'visitor', sessionId: visitor.sessionId },
    };
  }
  const agent = verifyAgentToken(secret, token);
  if (agent && (await staffAccess.allows(agent))) {
    return {
      tenantId: agent.tenantId,
      viewer: { type: 'agent', agentId: agent.agentId, role: agent.role },
    };
  }
  throw new AppError(
    401,
    'unauthorized',
    'Authorization: a valid visitor or agent token is required as `Bearer <token>`',
  );
}

const refusalStatus: Record<Refusal['code'], number> = {
  invalid_payload: 400,
  not_found: 404,
  forbidden: 403,
  session_closed: 409,
  rate_limited: 429,
};

/**
 * `GET /api/v1/sessions/:sessionId/messages?afterSeq=&limit=`: the HTTP
 * resync, for clients that reconnect or found a gap; `?beforeSeq=` pages
 * back through older history (the console's "load earlier"). A visitor token reads
 * its own session; an agent token the sessions it holds; a supervisor's any
 * session of its tenant.
 */
export function messageRoutes(deps: MessageRouteDeps): Router {
  const router = Router();
  router.get('/api/v1/sessions/:sessionId/messages', async (req, res) => {
    const { tenantId, viewer } = await bearer(req, deps.tokenSecret, deps.staffAccess);
    await deps.suspension.refuse(tenantId);
    const { sessionId } = validate(messagesParamsSchema, req.params, 'path');
    const { afterSeq, beforeSeq, limit } = validate(messagesQuerySchema, req.query, 'query');
    try {
      res.json(
        beforeSeq === undefined
          ? await readMessages(deps.chat, tenantId, viewer, sessionId, afterSeq, limit)
          : await readEarlierMessages(deps.chat, tenantId, viewer, sessionId, beforeSeq, limit),
      );
    } catch (error) {
      if (error instanceof Refusal) {
        throw new AppError(refusalStatus[error.code], error.code, error.message);
      }
      throw error;
    }
  });
  return router;
}
