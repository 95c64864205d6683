import { z } from 'zod';
import { roles } from '../../domain/access';
import { identitySettingsSchema } from '../../domain/identity';
import type { IdentityStore } from '../../stores/identity';
import type { AuditTrail } from '../audit-trail';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { identitySettingsView, rotatedSecret } from '../views';

export interface IdentityDeps {
  identity: IdentityStore;
  audit: AuditTrail;
}

/**
 * A tenant's shopper-identity settings (admins): whether anonymous shoppers
 * may open chat, and the identity secret. Rotating makes a new current
 * secret and keeps the replaced one valid, so servers can switch over;
 * the next rotation, or retiring it, ends the old one.
 */
export function identityRoutes(api: ReturnType<typeof endpoints>, deps: IdentityDeps): void {
  api.add({
    method: 'get',
    path: '/api/v1/identity',
    tag: 'identity',
    summary: 'Shopper identity settings (no secret values)',
    roles: roles.admin,
    responses: { 200: { description: 'The settings', schema: identitySettingsView } },
    async handle({ principal }) {
      return { status: 200, body: await deps.identity.settings(tenantOf(principal)) };
    },
  });

  api.add({
    method: 'put',
    path: '/api/v1/identity',
    tag: 'identity',
    summary: 'Require verified shoppers, or allow anonymous ones',
    roles: roles.admin,
    body: identitySettingsSchema,
    responses: { 200: { description: 'The settings now', schema: identitySettingsView } },
    async handle({ body, principal }) {
      const tenantId = tenantOf(principal);
      const settings = await deps.identity.update(tenantId, body);
      await deps.audit.record(principal, tenantId, {
        action: 'identity.updated',
        target: { type: 'identity', id: 'identity' },
        summary: { requireVerifiedIdentity: settings.requireVerifiedIdentity },
      });
      return { status: 200, body: settings };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/identity/secrets',
    tag: 'identity',
    summary:
      'Rotate the identity secret: a new current secret (shown once); the replaced one stays valid until the next rotation or its retirement',
    roles: roles.admin,
    responses: { 201: { description: 'The new secret, shown once', schema: rotatedSecret } },
    async handle({ principal }) {
      const tenantId = tenantOf(principal);
      const rotated = await deps.identity.rotate(tenantId);
      // The secret's id only: its value never reaches the log.
      await deps.audit.record(principal, tenantId, {
        action: 'identity_secret.created',
        target: { type: 'identity_secret', id: rotated.secretId },
      });
      return { status: 201, body: rotated };
    },
  });

  api.add({
    method: 'delete',
    path: '/api/v1/identity/secrets/:secretId',
    tag: 'identity',
    summary: 'Retire the previous identity secret now (signatures made with it stop working)',
    roles: roles.admin,
    params: z.strictObject({ secretId: z.string().regex(/^[0-9a-z]{1,40}$/) }),
    responses: { 204: { description: 'Retired' } },
    errors: {
      404: 'No such previous secret',
      409: 'The secret is the current one: rotate first',
    },
    async handle({ params, principal }) {
      const tenantId = tenantOf(principal);
      const settings = await deps.identity.settings(tenantId);
      const secret = settings.secrets.find((s) => s.secretId === params.secretId);
      if (!secret) throw new AppError(404, 'not_found', `No identity secret ${params.secretId}`);
      if (secret.current) {
        throw new AppError(
          409,
          'secret_current',
          `Identity secret ${params.secretId} is the current one; rotate to replace it first`,
        );
      }
      await deps.identity.retire(tenantId, params.secretId);
      await deps.audit.record(principal, tenantId, {
        action: 'identity_secret.retired',
        target: { type: 'identity_secret', id: params.secretId },
      });
      return { status: 204 };
    },
  });
}
