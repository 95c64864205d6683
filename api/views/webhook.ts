import { z } from 'zod';
import { eventTypes } from '../../domain/events';
import type { WebhookDeliveryDoc, WebhookDoc, WebhookProgressDoc } from '../../stores/collections';
import { isoTime } from '../http/schemas';
import { defined, iso } from './fields';

/** A webhook subscription, its delivery progress, and one delivery of its log. */

export const webhookView = z.object({
  webhookId: z.string(),
  url: z.string(),
  types: z.array(z.enum(eventTypes)),
  active: z.boolean(),
  description: z.string().optional(),
  createdAt: isoTime,
  updatedAt: isoTime,
  disabledAt: isoTime.optional(),
  disabledReason: z.string().optional().meta({
    description: 'Why delivery turned the subscription off; PATCH `active: true` to resume',
  }),
  delivery: z.object({
    failedInARow: z.number(),
    retryingEventId: z.string().optional(),
  }),
});

export const createdWebhook = webhookView.extend({
  secret: z.string().meta({ description: 'The signing secret; shown only here and on rotate' }),
});

export const deliveryView = z.object({
  eventId: z.string(),
  eventType: z.enum(eventTypes),
  status: z.enum(['pending', 'retrying', 'delivered', 'failed']),
  attempts: z.number(),
  createdAt: isoTime,
  firstAttemptAt: isoTime.optional(),
  lastAttemptAt: isoTime.optional(),
  nextAttemptAt: isoTime.optional(),
  responseStatus: z.number().optional(),
  latencyMs: z.number().optional(),
  error: z.string().optional(),
  redeliveryRequested: z.boolean().optional(),
});

export const toWebhookView = (doc: WebhookDoc, progress: WebhookProgressDoc) =>
  defined({
    webhookId: doc.webhookId,
    url: doc.url,
    types: doc.types,
    active: doc.active,
    description: doc.description,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
    disabledAt: iso(doc.disabledAt),
    disabledReason: doc.disabledReason,
    delivery: defined({
      failedInARow: progress.failedInARow,
      retryingEventId: progress.headEventId ?? undefined,
    }),
  });

export const toDeliveryView = (doc: WebhookDeliveryDoc) =>
  defined({
    eventId: doc.eventId,
    eventType: doc.eventType,
    status: doc.status,
    attempts: doc.attempts,
    createdAt: doc.createdAt.toISOString(),
    firstAttemptAt: iso(doc.firstAttemptAt),
    lastAttemptAt: iso(doc.lastAttemptAt),
    nextAttemptAt: iso(doc.nextAttemptAt),
    responseStatus: doc.responseStatus ?? undefined,
    latencyMs: doc.latencyMs ?? undefined,
    error: doc.error ?? undefined,
    redeliveryRequested: doc.redeliver ? true : undefined,
  });
