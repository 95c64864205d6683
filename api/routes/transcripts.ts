import { z } from 'zod';
import { roles } from '../../domain/access';
import { opaqueId } from '../../domain/session';
import type { MessageStore } from '../../stores/messages';
import type { SessionStore } from '../../stores/sessions';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { decimalInteger } from '../http/schemas';

export const transcriptQuery = z.strictObject({
  afterSeq: decimalInteger({ min: 0 }).default(0),
  limit: decimalInteger({ min: 1, max: 200 }).default(100),
});

const transcriptPage = z.object({
  sessionId: z.string(),
  messages: z.array(z.record(z.string(), z.unknown())),
  hasMore: z.boolean(),
  next: z.number().optional().meta({ description: 'Pass as `afterSeq` to read on' }),
});

/**
 * A session's transcript for the tenant's own systems (integration and
 * admin keys, supervisors): its messages in seq order, paged. Any session of
 * the caller's tenant, open or closed; another tenant's is not found.
 */
export function transcriptRoutes(
  api: ReturnType<typeof endpoints>,
  deps: { sessions: Pick<SessionStore, 'get'>; messages: Pick<MessageStore, 'listAfter'> },
) {
  api.add({
    method: 'get',
    path: '/api/v1/sessions/:sessionId/transcript',
    tag: 'sessions',
    summary: 'A session’s messages after `afterSeq`, in order (integration keys)',
    roles: roles.readers,
    params: z.strictObject({ sessionId: opaqueId }),
    query: transcriptQuery,
    responses: { 200: { description: 'A page of messages', schema: transcriptPage } },
    errors: { 404: 'No such session' },
    async handle({ params, query, principal }) {
      const tenantId = tenantOf(principal);
      if (!(await deps.sessions.get(tenantId, params.sessionId))) {
        throw new AppError(404, 'not_found', `No session ${params.sessionId}`);
      }
      const page = await deps.messages.listAfter(
        tenantId,
        params.sessionId,
        query.afterSeq,
        query.limit,
      );
      const last = page.messages.at(-1)?.seq;
      return {
        status: 200,
        body: {
          sessionId: params.sessionId,
          messages: page.messages,
          hasMore: page.hasMore,
          ...(page.hasMore && last !== undefined ? { next: last } : {}),
        },
      };
    },
  });
}
