import { z } from 'zod';
import { opaqueId } from '../../domain/session';
import type { CustomerStore } from '../../stores/customers';
import type { SessionStore } from '../../stores/sessions';
import type { endpoints } from '../http/endpoint';
import { lookUpOrders, type OrderLookupDeps } from '../use-cases/order-lookup';
import { sessionStaffMayRead } from '../use-cases/staff-session';
import { orderContextView } from '../views';

export interface OrderContextDeps {
  sessions: Pick<SessionStore, 'get'>;
  customers: Pick<CustomerStore, 'get'>;
  lookup: OrderLookupDeps;
}

/**
 * `GET /api/v1/sessions/:sessionId/order-context`: the orders beside a chat,
 * from the tenant's order system (docs/order-lookup.md), for the staff who
 * may see the session. Always a 200 once the session is theirs: the order
 * system failing is `unavailable` with its reason, not an error of the engine.
 */
export function orderContextRoutes(api: ReturnType<typeof endpoints>, deps: OrderContextDeps) {
  api.add({
    method: 'get',
    path: '/api/v1/sessions/:sessionId/order-context',
    tag: 'sessions',
    summary:
      'The orders the chat is about, from the tenant’s order lookup hook (agents, supervisors)',
    description:
      'Asks the tenant’s order system with the session’s entry and customer id (or answers from a cache of ' +
      'about a minute per tenant, entry and customer; `refresh=true` asks again). A hook that is slow, failing ' +
      'or answers something else gives `status: unavailable` with `reason` and `message`.',
    roles: ['agent', 'supervisor'],
    params: z.strictObject({ sessionId: opaqueId }),
    query: z.strictObject({
      refresh: z
        .enum(['true', 'false'])
        .optional()
        .meta({ description: '`true` skips the cache and asks the order system again' }),
    }),
    responses: { 200: { description: 'The order context', schema: orderContextView } },
    errors: {
      403: 'The agent may not see this session',
      404: "No such session in the token's tenant",
    },
    async handle({ params, query, principal }) {
      const { session } = await sessionStaffMayRead(deps.sessions, principal, params.sessionId);
      const profile = await deps.customers.get(session.tenantId, session.visitorId, []);
      const context = await lookUpOrders(
        deps.lookup,
        {
          tenantId: session.tenantId,
          sessionId: session._id,
          entry: session.entry,
          customer: { id: session.visitorId, identity: profile?.identity ?? 'anonymous' },
        },
        { refresh: query.refresh === 'true' },
      );
      return { status: 200, body: context };
    },
  });
}
