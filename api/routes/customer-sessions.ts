import { z } from 'zod';
import { roles } from '../../domain/access';
import { opaqueId } from '../../domain/session';
import type { SessionStore } from '../../stores/sessions';
import type { TagStore } from '../../stores/tags';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { isoTime, limitQuery } from '../http/schemas';
import { sessionView, toSessionView } from '../views';
import { hiddenTagIds } from '../use-cases/tag-visibility';

export interface CustomerSessionDeps {
  sessions: SessionStore;
  tags: TagStore;
}

/**
 * A customer's history: every session of one visitor, whoever served it.
 * `GET /api/v1/sessions` shows agents their own sessions only; an agent
 * serving a customer needs the customer's earlier chats with colleagues too
 * (the console's customer panel), so this route opens a customer's history
 * to an agent who holds or has held one of that customer's sessions — and
 * to nobody else of the agents.
 */
export function customerSessionRoutes(
  api: ReturnType<typeof endpoints>,
  deps: CustomerSessionDeps,
) {
  api.add({
    method: 'get',
    path: '/api/v1/customers/:visitorId/sessions',
    tag: 'sessions',
    summary: 'A customer’s sessions, newest first (agents: customers they serve or have served)',
    roles: roles.staff,
    params: z.strictObject({ visitorId: opaqueId }),
    query: z.strictObject({
      before: isoTime
        .transform((s) => new Date(s))
        .optional()
        .meta({ description: 'Next page: the last item’s startedAt' }),
      limit: limitQuery,
    }),
    responses: {
      200: { description: 'Sessions', schema: z.object({ items: z.array(sessionView) }) },
    },
    errors: { 404: 'No such customer (for agents: not one of their customers)' },
    async handle({ params, query, principal }) {
      const tenantId = tenantOf(principal);
      const { visitorId } = params;
      const served =
        principal?.role === 'agent' ? { visitorId, agentId: principal.agentId } : { visitorId };
      const [known] = await deps.sessions.search(tenantId, served, 1);
      if (!known) throw new AppError(404, 'not_found', `No customer ${visitorId}`);
      const [docs, hidden] = await Promise.all([
        deps.sessions.search(
          tenantId,
          { visitorId, ...(query.before ? { before: query.before } : {}) },
          query.limit,
        ),
        hiddenTagIds(deps.tags, tenantId, principal?.role ?? 'agent'),
      ]);
      return { status: 200, body: { items: docs.map((s) => toSessionView(s, hidden)) } };
    },
  });
}
