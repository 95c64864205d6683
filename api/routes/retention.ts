import { z } from 'zod';
import { roles } from '../../domain/access';
import type { TenantStore } from '../../stores/tenants';
import { tenantOf } from '../auth/authenticate';
import type { AuditTrail } from '../audit-trail';
import type { endpoints } from '../http/endpoint';

export const retentionSchema = z.strictObject({
  retentionDays: z.number().int().min(1).max(3650).nullable().meta({
    description:
      'Closed sessions and their messages, resolved tickets and outreach older than this many days are removed; null keeps them forever',
  }),
});

/**
 * The tenant's retention period. The worker applies it in rounds (hourly by
 * default): see workers/retention.ts for what goes and what always stays.
 */
export function retentionRoutes(
  api: ReturnType<typeof endpoints>,
  deps: { tenants: Pick<TenantStore, 'summary' | 'setRetention'>; audit: AuditTrail },
) {
  const current = async (tenantId: string) => ({
    retentionDays: (await deps.tenants.summary(tenantId))?.retentionDays ?? null,
  });

  api.add({
    method: 'get',
    path: '/api/v1/retention',
    tag: 'data lifecycle',
    summary: 'The tenant’s retention period in days (null: kept forever)',
    roles: roles.admin,
    responses: { 200: { description: 'The period', schema: retentionSchema } },
    async handle({ principal }) {
      return { status: 200, body: await current(tenantOf(principal)) };
    },
  });

  api.add({
    method: 'put',
    path: '/api/v1/retention',
    tag: 'data lifecycle',
    summary: 'Set the retention period (1–3650 days), or null to keep data forever',
    roles: roles.admin,
    body: retentionSchema,
    responses: { 200: { description: 'The period now', schema: retentionSchema } },
    async handle({ body, principal }) {
      const tenantId = tenantOf(principal);
      await deps.tenants.setRetention(tenantId, body.retentionDays);
      await deps.audit.record(principal, tenantId, {
        action: 'retention.updated',
        target: { type: 'retention', id: 'retention' },
        summary: { retentionDays: body.retentionDays ?? 'forever' },
      });
      return { status: 200, body: await current(tenantId) };
    },
  });
}
