import { z } from 'zod';
import { roles } from '../../domain/access';
import { opaqueId } from '../../domain/session';
import type { WebhookStore } from '../../stores/webhooks';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { isoTime, limitQuery } from '../http/schemas';
import { existingWebhook } from '../use-cases/existing-webhook';
import { deliveryView, toDeliveryView } from '../views';

const webhookParams = z.strictObject({ webhookId: opaqueId });
const deliveryParams = webhookParams.extend({ eventId: opaqueId });

/**
 * A webhook's delivery log (status, attempts, response code, latency) and
 * redelivery of one logged event. The worker writes the log
 * (events/webhook-delivery.ts); these routes read it and ask for a resend.
 */
export function webhookDeliveryRoutes(
  api: ReturnType<typeof endpoints>,
  deps: { webhooks: WebhookStore },
) {
  const existing = (tenantId: string, webhookId: string) =>
    existingWebhook(deps.webhooks, tenantId, webhookId);

  api.add({
    method: 'get',
    path: '/api/v1/webhooks/:webhookId/deliveries',
    tag: 'webhooks',
    summary: 'The delivery log, newest first: status, attempts, response code, latency',
    roles: roles.admin,
    params: webhookParams,
    query: z.strictObject({ limit: limitQuery, before: isoTime.optional() }),
    responses: {
      200: { description: 'Deliveries', schema: z.object({ items: z.array(deliveryView) }) },
    },
    errors: { 404: 'No such webhook' },
    async handle({ params, query, principal }) {
      const tenantId = tenantOf(principal);
      await existing(tenantId, params.webhookId);
      const docs = await deps.webhooks.deliveries(
        tenantId,
        params.webhookId,
        query.limit,
        query.before ? new Date(query.before) : undefined,
      );
      return { status: 200, body: { items: docs.map(toDeliveryView) } };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/webhooks/:webhookId/deliveries/:eventId/redeliver',
    tag: 'webhooks',
    summary: 'Send a logged event once more (soon, outside the subscription’s order)',
    roles: roles.admin,
    params: deliveryParams,
    responses: { 202: { description: 'Queued for the worker', schema: deliveryView } },
    errors: { 404: 'No such webhook or delivery', 409: 'The webhook is not active' },
    async handle({ params, principal }) {
      const tenantId = tenantOf(principal);
      const webhook = await existing(tenantId, params.webhookId);
      const found = await deps.webhooks.delivery(tenantId, params.webhookId, params.eventId);
      if (!found) {
        throw new AppError(404, 'not_found', `No delivery of ${params.eventId} to this webhook`);
      }
      if (!webhook.active) {
        throw new AppError(409, 'webhook_inactive', 'Turn the webhook on (PATCH active) first');
      }
      const doc = await deps.webhooks.requestRedelivery(tenantId, params.webhookId, params.eventId);
      if (!doc) throw new AppError(404, 'not_found', `No delivery of ${params.eventId}`);
      return { status: 202, body: toDeliveryView(doc) };
    },
  });
}
