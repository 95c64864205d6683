import { z } from 'zod';
import { roles, type Principal } from '../../domain/access';
import { customerProfilePatchSchema } from '../../domain/identity';
import { opaqueId } from '../../domain/session';
import type { CustomerStore } from '../../stores/customers';
import type { SessionStore } from '../../stores/sessions';
import type { TagStore } from '../../stores/tags';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { isoTime, limitQuery } from '../http/schemas';
import { eraseCustomer, type EraseCustomerDeps } from '../use-cases/erase-customer';
import { hiddenTagIds } from '../use-cases/tag-visibility';
import { customerProfileView, erasedCustomer } from '../views';

export interface CustomerDeps {
  customers: CustomerStore;
  sessions: SessionStore;
  tags: TagStore;
  /** Erasing a customer reaches every store, Temporal and Redis. */
  erase: EraseCustomerDeps;
}

const customerParams = z.strictObject({ visitorId: opaqueId });

/**
 * Customer profiles: name, contact, attributes and external ids from
 * verified identity claims and the merchant's systems, with the customer's
 * tags. Agents read the profile of a customer they serve or have served (as
 * with the customer's history); supervisors, admins and integrations any of
 * the tenant; admins and integrations change them. Admins erase a customer
 * everywhere (GDPR article 17; the export is in customer-export.ts).
 */
export function customerRoutes(api: ReturnType<typeof endpoints>, deps: CustomerDeps): void {
  async function profile(tenantId: string, visitorId: string, principal: Principal | undefined) {
    const role = principal?.role ?? 'agent';
    const [ids, hidden] = await Promise.all([
      deps.tags.customerTags(tenantId, visitorId),
      hiddenTagIds(deps.tags, tenantId, role),
    ]);
    const found = await deps.customers.get(
      tenantId,
      visitorId,
      ids.filter((id) => !hidden.has(id)),
    );
    if (!found) throw new AppError(404, 'not_found', `No customer ${visitorId}`);
    return found;
  }

  api.add({
    method: 'get',
    path: '/api/v1/customers',
    tag: 'customers',
    summary: 'Customer profiles, most recently changed first, paged',
    roles: roles.readers,
    query: z.strictObject({
      before: isoTime
        .transform((s) => new Date(s))
        .optional()
        .meta({ description: 'Next page: the last item’s updatedAt' }),
      limit: limitQuery,
    }),
    responses: {
      200: {
        description: 'Profiles (tags are under each customer’s own route)',
        schema: z.object({ items: z.array(customerProfileView.omit({ tags: true })) }),
      },
    },
    async handle({ query, principal }) {
      const tenantId = tenantOf(principal);
      const docs = await deps.customers.list(tenantId, query.limit, query.before);
      const items = docs.map((doc) =>
        customerProfileView.omit({ tags: true }).parse(deps.customers.toProfile(doc, [])),
      );
      return { status: 200, body: { items } };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/customers/:visitorId',
    tag: 'customers',
    summary: 'A customer’s profile (agents: customers they serve or have served)',
    roles: roles.staff,
    params: customerParams,
    responses: { 200: { description: 'The profile', schema: customerProfileView } },
    errors: { 404: 'No such customer (for agents: not one of their customers)' },
    async handle({ params, principal }) {
      const tenantId = tenantOf(principal);
      const { visitorId } = params;
      if (principal?.role === 'agent') {
        const [served] = await deps.sessions.search(
          tenantId,
          { visitorId, agentId: principal.agentId },
          1,
        );
        if (!served) throw new AppError(404, 'not_found', `No customer ${visitorId}`);
      }
      return { status: 200, body: await profile(tenantId, visitorId, principal) };
    },
  });

  api.add({
    method: 'patch',
    path: '/api/v1/customers/:visitorId',
    tag: 'customers',
    summary:
      'Change a customer’s profile: contact fields set (null removes), attributes and external ids merged key by key (a null attribute removes it)',
    roles: ['admin', 'integration'],
    params: customerParams,
    body: customerProfilePatchSchema,
    responses: { 200: { description: 'The profile now', schema: customerProfileView } },
    errors: { 404: 'No such customer' },
    async handle({ params, body, principal }) {
      const tenantId = tenantOf(principal);
      if (!(await deps.customers.patch(tenantId, params.visitorId, body))) {
        throw new AppError(404, 'not_found', `No customer ${params.visitorId}`);
      }
      return { status: 200, body: await profile(tenantId, params.visitorId, principal) };
    },
  });

  api.add({
    method: 'delete',
    path: '/api/v1/customers/:visitorId',
    tag: 'data lifecycle',
    summary:
      'Erase a customer everywhere: open session closed, workflows deleted from Temporal, every document and Redis key removed',
    roles: roles.admin,
    params: customerParams,
    responses: { 200: { description: 'Erased; what was removed', schema: erasedCustomer } },
    errors: { 404: 'Nothing is held about this customer (also the answer to a repeated erase)' },
    async handle({ params, principal }) {
      const erased = await eraseCustomer(deps.erase, tenantOf(principal), params.visitorId);
      if (!erased) throw new AppError(404, 'not_found', `No customer ${params.visitorId}`);
      return { status: 200, body: erased };
    },
  });
}
