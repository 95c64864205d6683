import { z } from 'zod';
import { roles } from '../../domain/access';
import { opaqueId } from '../../domain/session';
import { groupRoutingSchema } from '../../domain/agents';
import { flowSchema } from '../../domain/flow';
import { routingGroupRefs } from '../../domain/routing-rules';
import type { AgentStore } from '../../stores/agents';
import type { ApiKeyStore } from '../../stores/api-keys';
import type { TenantStore } from '../../stores/tenants';
import type { AuditTrail } from '../audit-trail';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { limitQuery } from '../http/schemas';
import { createdTenant, deletedTenant, suspendedTenant, tenantSummary } from '../views';
import { deleteTenant, type DeleteTenantDeps } from '../use-cases/delete-tenant';
import { suspendTenant, type SuspendTenantDeps } from '../use-cases/suspend-tenant';

export interface TenantRouteDeps extends SuspendTenantDeps, DeleteTenantDeps {
  tenants: TenantStore;
  /** A new tenant's first admin key. */
  apiKeys: Pick<ApiKeyStore, 'create'>;
  /** A new tenant gets the groups its flow routes to, so its flow names nothing missing. */
  agents: Pick<AgentStore, 'upsertGroup'>;
  /** Starts a new tenant's routing state, so the worker never takes it for lost state. */
  routing: { heal(tenantId: string): Promise<unknown> };
  audit: AuditTrail;
}

export const createTenantSchema = z.strictObject({
  tenantId: opaqueId,
  name: z.string().trim().min(1).max(120),
  flow: flowSchema.optional(),
});

const tenantParams = z.strictObject({ tenantId: opaqueId });

/**
 * The platform operator's tenant lifecycle: list, look at, suspend, resume
 * and delete tenants, and create one with its first admin key. A tenant is deleted
 * only once suspended: the two steps keep a slip of the finger from
 * destroying a working shop.
 */
export function tenantRoutes(api: ReturnType<typeof endpoints>, deps: TenantRouteDeps) {
  const notFound = (tenantId: string) =>
    new AppError(404, 'not_found', `No tenant with id ${tenantId}`);

  api.add({
    method: 'post',
    path: '/api/v1/tenants',
    tag: 'access',
    summary:
      'Create a tenant with its first admin API key and the agent groups its flow routes to (platform operator)',
    roles: roles.operator,
    body: createTenantSchema,
    responses: {
      201: { description: 'Created; the admin key is shown once', schema: createdTenant },
    },
    errors: { 409: 'A tenant with this id exists' },
    async handle({ body, principal }) {
      const created = await deps.tenants.create(body.tenantId, body.name, body.flow ?? {});
      if (!created) throw new AppError(409, 'tenant_exists', `Tenant ${body.tenantId} exists`);
      const adminKey = await deps.apiKeys.create(body.tenantId, 'first admin key', 'admin');
      const routed = new Set(
        routingGroupRefs(flowSchema.parse(body.flow ?? {}).routing).map((r) => r.groupId),
      );
      for (const groupId of routed) {
        await deps.agents.upsertGroup(body.tenantId, groupId, groupRoutingSchema.parse({}));
      }
      // Best effort: if Redis is away, the worker's upkeep starts the state within seconds.
      await deps.routing.heal(body.tenantId).catch(() => undefined);
      await deps.audit.record(principal, body.tenantId, {
        action: 'tenant.created',
        target: { type: 'tenant', id: body.tenantId },
        summary: { adminKeyId: adminKey.keyId },
      });
      return {
        status: 201,
        body: { tenantId: body.tenantId, name: body.name, flowVersion: 1, adminKey },
      };
    },
  });

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
