import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { roles } from '../../domain/access';
import { eventTypes } from '../../domain/events';
import { opaqueId } from '../../domain/session';
import { positionAt } from '../../events/feed';
import { newWebhookSecret } from '../../events/signature';
import { webhookUrlProblem } from '../../events/url-policy';
import type { WebhookDoc } from '../../stores/collections';
import type { WebhookStore } from '../../stores/webhooks';
import { tenantOf } from '../auth/authenticate';
import type { AuditTrail } from '../audit-trail';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { existingWebhook } from '../use-cases/existing-webhook';
import { createdWebhook, toWebhookView, webhookView } from '../views';

export interface WebhookRouteDeps {
  webhooks: WebhookStore;
  audit: AuditTrail;
  /** WEBHOOK_ALLOW_PRIVATE_ADDRESSES: an engine-wide switch, never a tenant's. */
  allowPrivateAddresses: boolean;
}

/** Subscriptions per tenant: each is a walk of the feed on every worker tick. */
const MAX_WEBHOOKS = 25;

const webhookParams = z.strictObject({ webhookId: opaqueId });

/**
 * Webhook subscriptions (admin keys): where a tenant's domain events are
 * POSTed, signed with the subscription's secret. Delivery itself is the
 * worker's (events/webhook-delivery.ts); these routes only change what it
 * reads, and show its log.
 */
export function webhookRoutes(api: ReturnType<typeof endpoints>, deps: WebhookRouteDeps) {
  const url = z
    .string()
    .min(1)
    .max(2000)
    .superRefine((value, ctx) => {
      const problem = webhookUrlProblem(value, deps.allowPrivateAddresses);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({ description: 'http(s) URL; private, loopback and link-local addresses are refused' });
  const types = z
    .array(z.enum(eventTypes))
    .min(1)
    .max(eventTypes.length * 2)
    .meta({ description: 'The event types to receive (docs/webhooks.md)' });
  const description = z.string().trim().max(200);

  const view = async (doc: WebhookDoc) => toWebhookView(doc, await deps.webhooks.progress(doc));
  const existing = (tenantId: string, webhookId: string) =>
    existingWebhook(deps.webhooks, tenantId, webhookId);

  api.add({
    method: 'post',
    path: '/api/v1/webhooks',
    tag: 'webhooks',
    summary: 'Subscribe a URL to event types; the answer shows the signing secret once',
    roles: roles.admin,
    body: z.strictObject({
      url,
      types,
      active: z.boolean().optional(),
      description: description.optional(),
    }),
    responses: { 201: { description: 'Subscribed', schema: createdWebhook } },
    errors: { 409: `The tenant has ${MAX_WEBHOOKS} webhooks already` },
    async handle({ body, principal }) {
      const tenantId = tenantOf(principal);
      if ((await deps.webhooks.count(tenantId)) >= MAX_WEBHOOKS) {
        throw new AppError(409, 'too_many_webhooks', `At most ${MAX_WEBHOOKS} webhooks per tenant`);
      }
      const now = new Date();
      const doc = await deps.webhooks.create({
        tenantId,
        webhookId: `wh_${randomBytes(12).toString('base64url')}`,
        url: body.url,
        types: [...new Set(body.types)],
        active: body.active ?? true,
        ...(body.description ? { description: body.description } : {}),
        secret: newWebhookSecret(),
        // Events from now on: a new subscription does not replay the past (the feed does).
        startAfter: positionAt(now),
        createdAt: now,
        updatedAt: now,
      });
      await deps.audit.record(principal, tenantId, {
        action: 'webhook.created',
        target: { type: 'webhook', id: doc.webhookId },
        summary: { types: doc.types },
      });
      return { status: 201, body: { ...(await view(doc)), secret: doc.secret } };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/webhooks',
    tag: 'webhooks',
    summary: 'The tenant’s webhook subscriptions',
    roles: roles.admin,
    responses: {
      200: { description: 'Subscriptions', schema: z.object({ items: z.array(webhookView) }) },
    },
    async handle({ principal }) {
      const docs = await deps.webhooks.list(tenantOf(principal));
      return { status: 200, body: { items: await Promise.all(docs.map(view)) } };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/webhooks/:webhookId',
    tag: 'webhooks',
    summary: 'One subscription, with why delivery disabled it if it did',
    roles: roles.admin,
    params: webhookParams,
    responses: { 200: { description: 'The subscription', schema: webhookView } },
    errors: { 404: 'No such webhook' },
    async handle({ params, principal }) {
      return {
        status: 200,
        body: await view(await existing(tenantOf(principal), params.webhookId)),
      };
    },
  });

  api.add({
    method: 'patch',
    path: '/api/v1/webhooks/:webhookId',
    tag: 'webhooks',
    summary:
      'Change the URL, types, description or active flag (active: true resumes a disabled one)',
    roles: roles.admin,
    params: webhookParams,
    body: z.strictObject({
      url: url.optional(),
      types: types.optional(),
      active: z.boolean().optional(),
      description: description.optional(),
    }),
    responses: { 200: { description: 'The subscription now', schema: webhookView } },
    errors: { 404: 'No such webhook' },
    async handle({ params, body, principal }) {
      const tenantId = tenantOf(principal);
      await existing(tenantId, params.webhookId);
      const doc = await deps.webhooks.update(tenantId, params.webhookId, {
        ...body,
        ...(body.types ? { types: [...new Set(body.types)] } : {}),
      });
      if (!doc) throw new AppError(404, 'not_found', `No webhook ${params.webhookId}`);
      await deps.audit.record(principal, tenantId, {
        action: 'webhook.updated',
        target: { type: 'webhook', id: doc.webhookId },
        summary: { fields: Object.keys(body) },
      });
      return { status: 200, body: await view(doc) };
    },
  });

  api.add({
    method: 'delete',
    path: '/api/v1/webhooks/:webhookId',
    tag: 'webhooks',
    summary: 'Unsubscribe: the subscription and its delivery log are removed',
    roles: roles.admin,
    params: webhookParams,
    responses: { 204: { description: 'Removed' } },
    errors: { 404: 'No such webhook' },
    async handle({ params, principal }) {
      const tenantId = tenantOf(principal);
      await existing(tenantId, params.webhookId);
      await deps.webhooks.remove(tenantId, params.webhookId);
      await deps.audit.record(principal, tenantId, {
        action: 'webhook.deleted',
        target: { type: 'webhook', id: params.webhookId },
      });
      return { status: 204 };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/webhooks/:webhookId/rotate-secret',
    tag: 'webhooks',
    summary: 'A new signing secret, shown once; deliveries sign with it from now on',
    roles: roles.admin,
    params: webhookParams,
    responses: {
      200: {
        description: 'The new secret',
        schema: z.object({ webhookId: z.string(), secret: z.string() }),
      },
    },
    errors: { 404: 'No such webhook' },
    async handle({ params, principal }) {
      const tenantId = tenantOf(principal);
      await existing(tenantId, params.webhookId);
      const doc = await deps.webhooks.rotateSecret(tenantId, params.webhookId, newWebhookSecret());
      if (!doc) throw new AppError(404, 'not_found', `No webhook ${params.webhookId}`);
      await deps.audit.record(principal, tenantId, {
        action: 'webhook.secret_rotated',
        target: { type: 'webhook', id: doc.webhookId },
      });
      return { status: 200, body: { webhookId: doc.webhookId, secret: doc.secret } };
    },
  });
}
