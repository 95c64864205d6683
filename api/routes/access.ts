import { z } from 'zod';
import { apiKeyRoles, roles } from '../../domain/access';
import { flowSchema } from '../../domain/flow';
import { opaqueId } from '../../domain/session';
import { hashPassword, verifyPassword } from '../../runtime/secrets';
import { issueAgentToken, staffRoles } from '../../runtime/tokens';
import type { ApiKeyStore } from '../../stores/api-keys';
import type { StaffStore } from '../../stores/staff';
import type { TenantStore } from '../../stores/tenants';
import { tenantOf } from '../auth/authenticate';
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
  tokenSecret: string;
  agentTokenTtlSeconds: number;
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
    summary: 'Create a tenant with its first admin API key (platform operator)',
    roles: roles.operator,
    body: createTenantSchema,
    responses: {
      201: { description: 'Created; the admin key is shown once', schema: createdTenant },
    },
    errors: { 409: 'A tenant with this id exists' },
    async handle({ body }) {
      const created = await deps.tenants.create(body.tenantId, body.name, body.flow ?? {});
      if (!created) throw new AppError(409, 'tenant_exists', `Tenant ${body.tenantId} exists`);
      const adminKey = await deps.apiKeys.create(body.tenantId, 'first admin key', 'admin');
      // Best effort: if Redis is away, the worker's upkeep starts the state within seconds.
      await deps.routing.heal(body.tenantId).catch(() => undefined);
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
      const key = await deps.apiKeys.create(tenantOf(principal), body.name, body.role);
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
      const revoked = await deps.apiKeys.revoke(tenantOf(principal), params.keyId);
      if (!revoked) throw new AppError(404, 'not_found', `No API key ${params.keyId}`);
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
      401: 'Unknown agent or wrong password (the answer does not say which)',
      403: 'The tenant is suspended (`tenant_suspended`)',
    },
    async handle({ body }) {
      const staff = await deps.staff.get(body.tenantId, body.agentId);
      // Hash even without an account, so timing does not tell which agents exist.
      const ok = await verifyPassword(
        body.password,
        staff?.passwordHash ?? (await hashPassword('no account')),
      );
      if (!staff?.passwordHash || !ok) {
        throw new AppError(401, 'unauthenticated', 'Unknown agent or wrong password');
      }
      await deps.suspension.refuse(body.tenantId);
      const issued = issueAgentToken(
        deps.tokenSecret,
        { tenantId: body.tenantId, agentId: body.agentId, role: staff.role },
        deps.agentTokenTtlSeconds,
      );
      return {
        status: 200,
        body: { ...issued, agentId: body.agentId, role: staff.role },
      };
    },
  });
}
