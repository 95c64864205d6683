import { roles } from '../../domain/access';
import { presenceSettingsSchema } from '../../domain/presence';
import type { RoutingService } from '../../routing/service';
import type { TenantStore } from '../../stores/tenants';
import { tenantOf } from '../auth/authenticate';
import type { AuditTrail } from '../audit-trail';
import type { endpoints } from '../http/endpoint';
import { routingInput } from '../http/routing-input';

/**
 * `/api/v1/presence`: how the tenant's agent presence works — following
 * agents' console connections with a grace (the default), or manual — see
 * domain/presence.ts and routing/presence-following.ts.
 */
export function presenceRoutes(
  api: ReturnType<typeof endpoints>,
  deps: {
    tenants: Pick<TenantStore, 'presence'>;
    routing: Pick<RoutingService, 'configurePresence'>;
    audit: AuditTrail;
  },
) {
  api.add({
    method: 'get',
    path: '/api/v1/presence',
    tag: 'routing',
    summary: 'How agent presence works: following console connections (with a grace) or manual',
    roles: roles.admin,
    responses: { 200: { description: 'The settings', schema: presenceSettingsSchema } },
    async handle({ principal }) {
      return { status: 200, body: await deps.tenants.presence(tenantOf(principal)) };
    },
  });

  api.add({
    method: 'put',
    path: '/api/v1/presence',
    tag: 'routing',
    summary:
      'Set the presence mode and the disconnect grace (0–3600 s); applies to every agent at once',
    roles: roles.admin,
    body: presenceSettingsSchema,
    responses: { 200: { description: 'The settings now', schema: presenceSettingsSchema } },
    async handle({ body, principal }) {
      const tenantId = tenantOf(principal);
      const settings = await routingInput(() => deps.routing.configurePresence(tenantId, body));
      await deps.audit.record(principal, tenantId, {
        action: 'presence.updated',
        target: { type: 'presence', id: 'presence' },
        summary: { ...settings },
      });
      return { status: 200, body: settings };
    },
  });
}
