import { z } from 'zod';
import { roles } from '../../domain/access';
import { newWebhookSecret } from '../../events/signature';
import { webhookUrlProblem } from '../../events/url-policy';
import type { TenantHookSettings, TenantHookStore } from '../../stores/tenant-hook-store';
import type { AuditTrail } from '../audit-trail';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { createdTenantHook, tenantHookView, toTenantHookView } from '../views';

export interface TenantHookRouteDeps {
  hooks: TenantHookStore;
  audit: AuditTrail;
  /** WEBHOOK_ALLOW_PRIVATE_ADDRESSES: tenant hooks follow the webhooks' address policy. */
  allowPrivateAddresses: boolean;
}

/** What differs between one tenant hook's admin routes and another's. */
export interface TenantHookKind {
  /** `/api/v1/bot-hook`. */
  path: string;
  /** The OpenAPI tag, and the audit target type with `_` (`bot_hook`). */
  tag: string;
  /** `bot hook`, as messages name it. */
  name: string;
  settings: z.ZodObject<{
    url: z.ZodString;
    timeoutMs: z.ZodType<number>;
    active: z.ZodType<boolean>;
  }>;
  urlDescription: string;
  putSummary: string;
  putDescription: string;
  deleteSummary: string;
  rotateSummary: string;
}

/**
 * A tenant hook's admin routes (admin keys): GET, PUT, DELETE and
 * rotate-secret on one path, one hook per tenant. The signing secret is
 * shown when the hook is created and on rotate, never in GET. The URL is
 * checked against the webhooks' address policy when saved.
 */
export function tenantHookRoutes(
  api: ReturnType<typeof endpoints>,
  kind: TenantHookKind,
  deps: TenantHookRouteDeps,
) {
  const auditType = kind.tag.replace(/-/g, '_');
  const body = z.strictObject({
    ...kind.settings.shape,
    url: kind.settings.shape.url
      .superRefine((value, ctx) => {
        const problem = webhookUrlProblem(value, deps.allowPrivateAddresses);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .meta({ description: kind.urlDescription }),
  });
  const none = `The tenant has no ${kind.name}`;
  const existing = async (tenantId: string) => {
    const doc = await deps.hooks.get(tenantId);
    if (!doc) throw new AppError(404, 'not_found', none);
    return doc;
  };

  api.add({
    method: 'get',
    path: kind.path,
    tag: kind.tag,
    summary: `The tenant’s ${kind.name} (without its secret)`,
    roles: roles.admin,
    responses: { 200: { description: `The ${kind.name}`, schema: tenantHookView } },
    errors: { 404: none },
    async handle({ principal }) {
      return { status: 200, body: toTenantHookView(await existing(tenantOf(principal))) };
    },
  });

  api.add({
    method: 'put',
    path: kind.path,
    tag: kind.tag,
    summary: kind.putSummary,
    description: kind.putDescription,
    roles: roles.admin,
    body,
    responses: {
      200: { description: 'Changed (the secret is kept)', schema: tenantHookView },
      201: {
        description: 'Created, with its secret (shown only here and on rotate)',
        schema: createdTenantHook,
      },
    },
    async handle({ body, principal }) {
      const tenantId = tenantOf(principal);
      const settings: TenantHookSettings = body;
      const { doc, created } = await deps.hooks.put(tenantId, settings, newWebhookSecret());
      await deps.audit.record(principal, tenantId, {
        action: created ? `${auditType}.created` : `${auditType}.updated`,
        target: { type: auditType, id: kind.tag },
        summary: { active: doc.active, timeoutMs: doc.timeoutMs },
      });
      return created
        ? { status: 201, body: { ...toTenantHookView(doc), secret: doc.secret } }
        : { status: 200, body: toTenantHookView(doc) };
    },
  });

  api.add({
    method: 'delete',
    path: kind.path,
    tag: kind.tag,
    summary: kind.deleteSummary,
    roles: roles.admin,
    responses: { 204: { description: 'Removed' } },
    errors: { 404: none },
    async handle({ principal }) {
      const tenantId = tenantOf(principal);
      if (!(await deps.hooks.remove(tenantId))) throw new AppError(404, 'not_found', none);
      await deps.audit.record(principal, tenantId, {
        action: `${auditType}.deleted`,
        target: { type: auditType, id: kind.tag },
      });
      return { status: 204 };
    },
  });

  api.add({
    method: 'post',
    path: `${kind.path}/rotate-secret`,
    tag: kind.tag,
    summary: kind.rotateSummary,
    roles: roles.admin,
    responses: {
      200: { description: 'The new secret', schema: z.object({ secret: z.string() }) },
    },
    errors: { 404: none },
    async handle({ principal }) {
      const tenantId = tenantOf(principal);
      await existing(tenantId);
      const doc = await deps.hooks.rotateSecret(tenantId, newWebhookSecret());
      if (!doc) throw new AppError(404, 'not_found', none);
      await deps.audit.record(principal, tenantId, {
        action: `${auditType}.secret_rotated`,
        target: { type: auditType, id: kind.tag },
      });
      return { status: 200, body: { secret: doc.secret } };
    },
  });
}
