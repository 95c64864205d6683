import type { Db } from 'mongodb';
import type { EventType } from '../domain/events';
import {
  collections,
  type WebhookDeliveryDoc,
  type WebhookDoc,
  type WebhookProgressDoc,
} from './collections';
import { isDuplicateKey } from './mongo-errors';

const key = (tenantId: string, webhookId: string) => `${tenantId}:${webhookId}`;

export interface WebhookChange {
  url?: string;
  types?: EventType[];
  active?: boolean;
  description?: string;
}

/**
 * Webhook subscriptions, their delivery progress and their delivery log.
 * Subscriptions are written by the API; progress and deliveries by the
 * worker holding the subscription's lease (events/webhook-delivery.ts), and
 * by the API only to ask for a redelivery or to re-arm a disabled one.
 */
export function webhookStore(db: Db) {
  const { webhooks, webhookProgress, webhookDeliveries, webhookLeases } = collections(db);
  return {
    async create(doc: Omit<WebhookDoc, '_id'>): Promise<WebhookDoc> {
      const stored = { ...doc, _id: key(doc.tenantId, doc.webhookId) };
      await webhooks.insertOne(stored);
      return stored;
    },

    async get(tenantId: string, webhookId: string) {
      return webhooks.findOne({ _id: key(tenantId, webhookId), tenantId });
    },

    async list(tenantId: string) {
      return webhooks.find({ tenantId }).sort({ createdAt: 1 }).toArray();
    },

    async count(tenantId: string) {
      return webhooks.countDocuments({ tenantId });
    },

    /** Changes the given fields; turning it on clears why it was disabled and its failure count. */
    async update(tenantId: string, webhookId: string, change: WebhookChange) {
      const _id = key(tenantId, webhookId);
      const now = new Date();
      const set = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
      await webhooks.updateOne(
        { _id, tenantId },
        {
          $set: { ...set, updatedAt: now },
          ...(change.active ? { $unset: { disabledAt: '', disabledReason: '' } } : {}),
        },
      );
      if (change.active) await webhookProgress.updateOne({ _id }, { $set: { failedInARow: 0 } });
      return webhooks.findOne({ _id, tenantId });
    },

    async rotateSecret(tenantId: string, webhookId: string, secret: string) {
      const _id = key(tenantId, webhookId);
      await webhooks.updateOne({ _id, tenantId }, { $set: { secret, updatedAt: new Date() } });
      return webhooks.findOne({ _id, tenantId });
    },

    /** The subscription, its progress, its log and its leases. */
    async remove(tenantId: string, webhookId: string): Promise<boolean> {
      const _id = key(tenantId, webhookId);
      const removed = (await webhooks.deleteOne({ _id, tenantId })).deletedCount === 1;
      await webhookProgress.deleteOne({ _id });
      await webhookDeliveries.deleteMany({ tenantId, webhookId });
      await webhookLeases.deleteMany({ subscription: _id });
      return removed;
    },

    /** Every active subscription of every tenant: the delivery loop's work list. */
    async active() {
      return webhooks.find({ active: true }).toArray();
    },

    /** Delivery turned it off; the reason shows in GET until a PATCH turns it on again. */
    async disable(subscription: WebhookDoc, reason: string) {
      await webhooks.updateOne(
        { _id: subscription._id, active: true },
        { $set: { active: false, disabledAt: new Date(), disabledReason: reason } },
      );
    },

    async progress(subscription: WebhookDoc): Promise<WebhookProgressDoc> {
      return (
        (await webhookProgress.findOne({ _id: subscription._id })) ?? {
          _id: subscription._id,
          tenantId: subscription.tenantId,
          webhookId: subscription.webhookId,
          cursor: subscription.startAfter,
          failedInARow: 0,
        }
      );
    },

    async saveProgress(progress: WebhookProgressDoc) {
      const { _id, headEventId, ...fields } = progress;
      await webhookProgress.replaceOne(
        { _id },
        { ...fields, ...(headEventId ? { headEventId } : {}) },
        { upsert: true },
      );
    },

    /** The id of an event's delivery to a subscription in the log. */
    deliveryId: (subscription: WebhookDoc, eventId: string) => `${subscription._id}:${eventId}`,

    async delivery(tenantId: string, webhookId: string, eventId: string) {
      return webhookDeliveries.findOne({ _id: `${key(tenantId, webhookId)}:${eventId}` });
    },

    /** Logs deliveries a walk has made, in one round trip; one sent again replaces its entry. */
    async logDeliveries(docs: WebhookDeliveryDoc[]) {
      if (docs.length === 0) return;
      await webhookDeliveries.bulkWrite(
        docs.map(({ _id, ...fields }) => ({
          replaceOne: { filter: { _id }, replacement: fields, upsert: true },
        })),
        { ordered: false },
      );
    },

    /** The delivery of an event, made pending if it is new; an existing one is kept as it is. */
    async ensureDelivery(
      doc: Omit<WebhookDeliveryDoc, '_id' | 'status' | 'attempts' | 'createdAt'>,
    ): Promise<WebhookDeliveryDoc> {
      const _id = `${key(doc.tenantId, doc.webhookId)}:${doc.eventId}`;
      const fresh: WebhookDeliveryDoc = {
        ...doc,
        _id,
        status: 'pending',
        attempts: 0,
        createdAt: new Date(),
      };
      try {
        await webhookDeliveries.insertOne(fresh);
        return fresh;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        return (await webhookDeliveries.findOne({ _id })) ?? fresh;
      }
    },

    async saveDelivery(doc: WebhookDeliveryDoc) {
      const { _id, ...fields } = doc;
      await webhookDeliveries.replaceOne({ _id }, fields, { upsert: true });
    },

    /** A subscription's log, newest first; `before` pages on by creation time. */
    async deliveries(tenantId: string, webhookId: string, limit: number, before?: Date) {
      return webhookDeliveries
        .find({ tenantId, webhookId, ...(before ? { createdAt: { $lt: before } } : {}) })
        .sort({ createdAt: -1 })
        .limit(limit)
        .toArray();
    },

    /** Asks the worker to send the event once more (outside the subscription's order). */
    async requestRedelivery(tenantId: string, webhookId: string, eventId: string) {
      const _id = `${key(tenantId, webhookId)}:${eventId}`;
      await webhookDeliveries.updateOne({ _id, tenantId }, { $set: { redeliver: true } });
      return webhookDeliveries.findOne({ _id, tenantId });
    },

    async redeliveries(subscription: WebhookDoc) {
      return webhookDeliveries
        .find({
          tenantId: subscription.tenantId,
          webhookId: subscription.webhookId,
          redeliver: true,
        })
        .limit(20)
        .toArray();
    },
  };
}

export type WebhookStore = ReturnType<typeof webhookStore>;
