import { orderLookupSettingsSchema } from '../../domain/order-lookup';
import type { OrderLookupHookStore } from '../../stores/order-lookup-hooks';
import type { AuditTrail } from '../audit-trail';
import type { endpoints } from '../http/endpoint';
import { tenantHookRoutes } from './tenant-hook-routes';

export interface OrderLookupHookRouteDeps {
  orderLookupHooks: OrderLookupHookStore;
  audit: AuditTrail;
  /** WEBHOOK_ALLOW_PRIVATE_ADDRESSES: the hook follows the webhooks' address policy. */
  allowPrivateAddresses: boolean;
}

/**
 * The tenant's order lookup hook (admin keys): the URL of the tenant's order
 * system, asked for the orders beside a chat when an agent opens it
 * (docs/order-lookup.md). One per tenant; the signing secret is shown when
 * the hook is created and on rotate, never in GET. Every lookup reads the
 * current hook.
 */
export function orderLookupHookRoutes(
  api: ReturnType<typeof endpoints>,
  deps: OrderLookupHookRouteDeps,
) {
  tenantHookRoutes(
    api,
    {
      path: '/api/v1/order-lookup-hook',
      tag: 'order-lookup-hook',
      name: 'order lookup hook',
      settings: orderLookupSettingsSchema,
      urlDescription:
        'http(s) URL of the order system (https in production); private, loopback and link-local addresses are refused (as for webhooks)',
      putSummary:
        'Point the console’s order panel at the tenant’s order system; the answer shows the signing secret when this creates the hook',
      putDescription:
        'When an agent opens a chat, the session’s entry and customer id are POSTed to `url`, signed with ' +
        '`Reception-Signature` as webhooks are; the system answers `{"orders":[{"ref","lines":[{"sku","title",' +
        '"quantity","price","currency","imageUrl"?,"status","tracking"?}]}]}`. An answer is reused for about a minute. ' +
        'A system that misses `timeoutMs`, answers non-2xx or answers something else shows as unavailable, with the reason.',
      deleteSummary: 'Remove the order lookup hook: the order panel is not shown',
      rotateSummary: 'A new signing secret, shown once; lookups sign with it from now on',
    },
    {
      hooks: deps.orderLookupHooks,
      audit: deps.audit,
      allowPrivateAddresses: deps.allowPrivateAddresses,
    },
  );
}
