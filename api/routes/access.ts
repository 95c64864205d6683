import { z } from 'zod';
import { apiKeyRoles, roles } from '../../domain/access';
import { groupRoutingSchema } from '../../domain/agents';
import { routingGroupRefs } from '../../domain/routing-rules';
import { flowSchema } from '../../domain/flow';
import { opaqueId } from '../../domain/session';
import { hashPassword, verifyPassword } from '../../runtime/secrets';
import { staffRoles } from '../../domain/staff-roles';
import { issueAgentToken } from '../../runtime/tokens';
import type { AgentStore } from '../../stores/agents';
import type { ApiKeyStore } from '../../stores/api-keys';
import type { StaffStore } from '../../stores/staff';
import type { TenantStore } from '../../stores/tenants';
import type { AuditTrail } from '../audit-trail';
import { tenantOf } from '../auth/authenticate';
import type { LoginThrottle } from '../auth/login-throttle';
import type { TenantSuspension } from '../auth/tenant-suspension';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { isoTime } from '../http/schemas';

export interface AccessDeps {
  tenants: TenantStore;
  apiKeys: ApiKeyStore;
  staff: StaffStore;
  /** Starts a new tenant's routing state, so the worker never takes it for lost state. */
  routing: { heal(tenantId: string): Promise<unknown> };
  /** A new tenant gets the groups its flow routes to, so its flow names nothing missing. */
  agents: Pick<AgentStore, 'upsertGroup'>;
  tokenSecret: string;
  agentTokenTtlSeconds: number;
  throttle: LoginThrottle;
  audit: AuditTrail;
  /** A suspended tenant's staff cannot log in. */
  suspension: Pick<TenantSuspension, 'refuse'>;
}

const apiKeyInfo = z.object({
  keyId: z.string(),
  name: z.string(),
  role: z.enum(apiKeyRoles),
  createdAt: isoTime,
  revokedAt: isoTime.optional(),
});
export const createdApiKey = apiKeyInfo.extend({
  key: z.string().meta({ description: 'The key itself: shown only in this answer' }),
});
const keyName = z.string().trim().min(1).max(80);

export const createTenantSchema = z.strictObject({
  tenantId: opaqueId,
  name: z.string().trim().min(1).max(120),
  flow: flowSchema.optional(),
});
export const createdTenant = z.object({
  tenantId: z.string(),
  name: z.string(),
  flowVersion: z.number(),
  adminKey: createdApiKey,
});

export const agentLoginSchema = z.strictObject({
  tenantId: opaqueId,
  agentId: opaqueId,
  password: z.string().min(1).max(200),
});
export const agentSession = z.object({
  token: z.string(),
  expiresAt: isoTime,
  agentId: z.string(),
  role: z.enum(staffRoles),
});

/** Tenants (operator), tenant API keys (admin) and agent login. */
export function accessRoutes(api: ReturnType<typeof endpoints>, deps: AccessDeps): void {
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
    method: 'post',
    path: '/api/v1/api-keys',
    tag: 'access',
    summary: 'Create an API key of the tenant; the key is shown once and stored hashed',
    roles: roles.admin,
    body: z.strictObject({ name: keyName, role: z.enum(apiKeyRoles) }),
    responses: { 201: { description: 'Created', schema: createdApiKey } },
    async handle({ body, principal }) {
      const tenantId = tenantOf(principal);
      const key = await deps.apiKeys.create(tenantId, body.name, body.role);
      await deps.audit.record(principal, tenantId, {
        action: 'api_key.created',
        target: { type: 'api_key', id: key.keyId },
        summary: { name: body.name, role: body.role },
      });
      return { status: 201, body: key };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/api-keys',
    tag: 'access',
    summary: 'List the tenant’s API keys (never the keys themselves)',
    roles: roles.admin,
    responses: {
      200: { description: 'The keys', schema: z.object({ items: z.array(apiKeyInfo) }) },
    },
    async handle({ principal }) {
      return { status: 200, body: { items: await deps.apiKeys.list(tenantOf(principal)) } };
    },
  });

  api.add({
    method: 'delete',
    path: '/api/v1/api-keys/:keyId',
    tag: 'access',
    summary: 'Revoke an API key; it stops working at once',
    roles: roles.admin,
    params: z.strictObject({ keyId: z.string().regex(/^[0-9a-f]{16}$/) }),
    responses: { 200: { description: 'Revoked', schema: apiKeyInfo } },
    errors: { 404: 'The tenant has no such key' },
    async handle({ params, principal }) {
      const tenantId = tenantOf(principal);
      const revoked = await deps.apiKeys.revoke(tenantId, params.keyId);
      if (!revoked) throw new AppError(404, 'not_found', `No API key ${params.keyId}`);
      await deps.audit.record(principal, tenantId, {
        action: 'api_key.revoked',
        target: { type: 'api_key', id: params.keyId },
      });
      return { status: 200, body: revoked };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/auth/agent-login',
    tag: 'access',
    summary: 'Log an agent or supervisor in: a short-lived agent token',
    roles: 'public',
    body: agentLoginSchema,
    responses: { 200: { description: 'Logged in', schema: agentSession } },
    errors: {
      401: 'Unknown agent or wrong password (`unauthenticated`; the answer does not say which), or the right password of a deactivated account (`account_inactive`)',
      403: 'The tenant is suspended (`tenant_suspended`)',
      429: 'Too many failed logins of this account, or from this address (`too_many_attempts`): wait `Retry-After` seconds',
    },
    async handle({ body, address }) {
      const { tenantId, agentId } = body;
      const wait = await deps.throttle.retryAfter(tenantId, agentId, address);
      if (wait > 0) {
        throw new AppError(
          429,
          'too_many_attempts',
          `Too many failed logins; try again in ${wait} s`,
          { retryAfterSeconds: wait },
        );
      }
      const staff = await deps.staff.get(tenantId, agentId);
      // Hash even without an account, so timing does not tell which agents exist.
      const ok = await verifyPassword(
        body.password,
        staff?.passwordHash ?? (await hashPassword('no account')),
      );
      if (!staff?.passwordHash || !ok) {
        await deps.throttle.failed(tenantId, agentId, address);
        throw new AppError(401, 'unauthenticated', 'Unknown agent or wrong password');
      }
      // Only the password's holder learns this; a deleted account has no password left.
      if (staff.active === false) {
        throw new AppError(
          401,
          'account_inactive',
          'This account is deactivated; an admin can reactivate it',
        );
      }
      await deps.suspension.refuse(tenantId);
      await deps.throttle.succeeded(tenantId, agentId, address);
      const issued = issueAgentToken(
        deps.tokenSecret,
        { tenantId, agentId, role: staff.role },
        deps.agentTokenTtlSeconds,
      );
      return {
        status: 200,
        body: { ...issued, agentId, role: staff.role },
      };
    },
  });
}
