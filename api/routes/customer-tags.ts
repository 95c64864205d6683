import { z } from 'zod';
import type { Principal, Role } from '../../domain/access';
import { opaqueId } from '../../domain/session';
import type { SessionStore } from '../../stores/sessions';
import type { TagStore } from '../../stores/tags';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { settableTag, visibleTagIds } from '../use-cases/tag-visibility';
import { customerTagsView } from '../views';

export interface CustomerTagDeps {
  tags: TagStore;
  sessions: Pick<SessionStore, 'search'>;
}

const customerParams = z.strictObject({ visitorId: opaqueId });
const customerTagParams = customerParams.extend({ tagId: opaqueId });
/** Integration keys set external tags; people set manual ones. */
const setters = ['admin', 'integration', 'supervisor', 'agent'] as const;

const roleOf = (principal: Principal | undefined): Role => principal?.role ?? 'agent';

/**
 * `/api/v1/customers/:visitorId/tags`: tagging a customer (by visitor id),
 * under each tag's kind, target and visibility. A session's tags are in
 * session-tags.ts.
 */
export function customerTagRoutes(api: ReturnType<typeof endpoints>, deps: CustomerTagDeps) {
  /** A customer is a visitor who has opened at least one session with the tenant. */
  async function knownCustomer(tenantId: string, visitorId: string): Promise<void> {
    const [any] = await deps.sessions.search(tenantId, { visitorId }, 1);
    if (!any) throw new AppError(404, 'not_found', `No customer ${visitorId}`);
  }

  async function visibleCustomerTags(tenantId: string, visitorId: string, role: Role) {
    const ids = await deps.tags.customerTags(tenantId, visitorId);
    return visibleTagIds(deps.tags, tenantId, ids, role);
  }

  api.add({
    method: 'get',
    path: '/api/v1/customers/:visitorId/tags',
    tag: 'tags',
    summary: 'A customer’s tags (those the caller may see)',
    roles: setters,
    params: customerParams,
    responses: { 200: { description: 'Tag ids', schema: customerTagsView } },
    errors: { 404: 'No such customer' },
    async handle({ params, principal }) {
      const tenantId = tenantOf(principal);
      await knownCustomer(tenantId, params.visitorId);
      const tags = await visibleCustomerTags(tenantId, params.visitorId, roleOf(principal));
      return { status: 200, body: { visitorId: params.visitorId, tags } };
    },
  });

  for (const on of [true, false]) {
    api.add({
      method: on ? 'put' : 'delete',
      path: '/api/v1/customers/:visitorId/tags/:tagId',
      tag: 'tags',
      summary: on ? 'Tag a customer (idempotent)' : 'Take a tag off a customer',
      roles: setters,
      params: customerTagParams,
      responses: { 200: { description: 'The customer’s tags now', schema: customerTagsView } },
      errors: {
        404: 'No such customer or tag',
        422: 'The tag targets sessions',
      },
      async handle({ params, principal }) {
        const tenantId = tenantOf(principal);
        await knownCustomer(tenantId, params.visitorId);
        await settableTag(deps.tags, tenantId, params.tagId, 'customer', roleOf(principal));
        if (on) await deps.tags.tagCustomer(tenantId, params.visitorId, params.tagId);
        else await deps.tags.untagCustomer(tenantId, params.visitorId, params.tagId);
        const tags = await visibleCustomerTags(tenantId, params.visitorId, roleOf(principal));
        return { status: 200, body: { visitorId: params.visitorId, tags } };
      },
    });
  }
}
