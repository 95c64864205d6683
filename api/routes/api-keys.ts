import { z } from 'zod';
import { apiKeyRoles, roles } from '../../domain/access';
import type { ApiKeyStore } from '../../stores/api-keys';
import type { AuditTrail } from '../audit-trail';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { apiKeyInfo, createdApiKey } from '../views';

export interface ApiKeyDeps {
  apiKeys: ApiKeyStore;
  audit: AuditTrail;
}

const keyName = z.string().trim().min(1).max(80);

/** `/api/v1/api-keys`: a tenant's API keys (admins): create, list, revoke. */
export function apiKeyRoutes(api: ReturnType<typeof endpoints>, deps: ApiKeyDeps): void {
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
}
