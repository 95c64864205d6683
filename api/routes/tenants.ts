import { z } from 'zod';
import { roles } from '../../domain/access';
import { opaqueId } from '../../domain/session';
import type { TenantStore } from '../../stores/tenants';
import type { AuditTrail } from '../audit-trail';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { isoTime, limitQuery } from '../http/schemas';
import { deleteTenant, type DeleteTenantDeps } from '../use-cases/delete-tenant';
import { suspendTenant, type SuspendTenantDeps } from '../use-cases/suspend-tenant';

export interface TenantRouteDeps extends SuspendTenantDeps, DeleteTenantDeps {
  tenants: TenantStore;
  audit: AuditTrail;
}

export const tenantSummary = z.object({
  tenantId: z.string(),
  name: z.string(),
  createdAt: isoTime,
  suspendedAt: isoTime.optional().meta({ description: 'Present while the tenant is suspended' }),
  retentionDays: z.number().optional(),
});

const tenantParams = z.strictObject({ tenantId: opaqueId });

export const suspendedTenant = z.object({
  tenant: tenantSummary,
  closedSessions: z.number().meta({ description: 'Live sessions closed by this call' }),
  disconnected: z.number().meta({ description: 'Sockets disconnected by this call' }),
});

export const deletedTenant = z.object({
  tenantId: z.string(),
  workflows: z.number().meta({ description: 'Workflow executions deleted from Temporal' }),
  deleted: z.record(z.string(), z.number()).meta({ description: 'Documents per collection' }),
  redisKeys: z.number(),
});

/**
 * The platform operator's tenant lifecycle: list, look at, suspend, resume
 * and delete tenants (creating one is in access.ts). A tenant is deleted
 * only once suspended: the two steps keep a slip of the finger from
 * destroying a working shop.
 */
export function tenantRoutes(api: ReturnType<typeof endpoints>, deps: TenantRouteDeps) {
  const notFound = (tenantId: string) =>
    new AppError(404, 'not_found', `No tenant with id ${tenantId}`);

  api.add({
    method: 'get',
    path: '/api/v1/tenants',
    tag: 'operator',
    summary: 'List tenants in id order (platform operator)',
    roles: roles.operator,
    query: z.strictObject({
      after: opaqueId.optional().meta({ description: 'Next page: the last item’s tenantId' }),
      limit: limitQuery,
    }),
    responses: {
      200: {
        description: 'Tenants',
        schema: z.object({ items: z.array(tenantSummary), next: z.string().optional() }),
      },
    },
    async handle({ query }) {
      const items = await deps.tenants.list(query.after, query.limit);
      const last = items.at(-1);
      return {
        status: 200,
        body: { items, ...(items.length === query.limit && last ? { next: last.tenantId } : {}) },
      };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/tenants/:tenantId',
    tag: 'operator',
    summary: 'One tenant: name, creation, suspension, retention (platform operator)',
    roles: roles.operator,
    params: tenantParams,
    responses: { 200: { description: 'The tenant', schema: tenantSummary } },
    errors: { 404: 'No such tenant' },
    async handle({ params }) {
      const tenant = await deps.tenants.summary(params.tenantId);
      if (!tenant) throw notFound(params.tenantId);
      return { status: 200, body: tenant };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/tenants/:tenantId/suspend',
    tag: 'operator',
    summary:
      'Suspend a tenant: every credential refused (403 tenant_suspended), live sessions closed with the closing line, sockets disconnected',
    roles: roles.operator,
    params: tenantParams,
    responses: { 200: { description: 'Suspended', schema: suspendedTenant } },
    errors: { 404: 'No such tenant' },
    async handle({ params, principal }) {
      const suspended = await suspendTenant(deps, params.tenantId);
      if (!suspended) throw notFound(params.tenantId);
      await deps.audit.record(principal, params.tenantId, {
        action: 'tenant.suspended',
        target: { type: 'tenant', id: params.tenantId },
        summary: { closedSessions: suspended.closedSessions },
      });
      return { status: 200, body: suspended };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/tenants/:tenantId/resume',
    tag: 'operator',
    summary: 'Resume a suspended tenant: its credentials work again',
    roles: roles.operator,
    params: tenantParams,
    responses: { 200: { description: 'Active again', schema: tenantSummary } },
    errors: { 404: 'No such tenant' },
    async handle({ params, principal }) {
      const tenant = await deps.tenants.setSuspended(params.tenantId, false);
      if (!tenant) throw notFound(params.tenantId);
      deps.suspension.forget(params.tenantId);
      await deps.audit.record(principal, params.tenantId, {
        action: 'tenant.resumed',
        target: { type: 'tenant', id: params.tenantId },
      });
      return { status: 200, body: tenant };
    },
  });

  api.add({
    method: 'delete',
    path: '/api/v1/tenants/:tenantId',
    tag: 'operator',
    summary: 'Delete a suspended tenant and all its data: workflows, every collection, Redis state',
    roles: roles.operator,
    params: tenantParams,
    responses: { 200: { description: 'Deleted; what was removed', schema: deletedTenant } },
    errors: { 404: 'No such tenant', 409: 'The tenant is not suspended (suspend it first)' },
    async handle({ params }) {
      const deleted = await deleteTenant(deps, params.tenantId);
      if (!deleted) throw notFound(params.tenantId);
      if (deleted === 'not_suspended') {
        throw new AppError(
          409,
          'tenant_not_suspended',
          `Tenant ${params.tenantId} is active: suspend it before deleting it`,
        );
      }
      return { status: 200, body: deleted };
    },
  });
}
