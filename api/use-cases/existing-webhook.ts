import type { WebhookStore } from '../../stores/webhooks';
import { AppError } from '../errors';

/** The caller's tenant's webhook, or 404: another tenant's is as absent as one never made. */
export async function existingWebhook(webhooks: WebhookStore, tenantId: string, webhookId: string) {
  const doc = await webhooks.get(tenantId, webhookId);
  if (!doc) throw new AppError(404, 'not_found', `No webhook ${webhookId}`);
  return doc;
}
