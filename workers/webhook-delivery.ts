import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { eventFeed } from '../events/feed';
import { leases } from '../events/lease';
import { removeExpiredEvents } from '../events/retention';
import { webhookDelivery } from '../events/webhook-delivery';
import type { EventConfig } from '../runtime/config';
import type { Logger } from '../runtime/logger';
import type { EngineMetrics } from '../runtime/metrics';
import { webhookStore } from '../stores/webhooks';
import { startPeriodicRounds } from './periodic-rounds';

/** Subscriptions one worker serves at once; the rest wait for the next tick. */
const PARALLEL_SUBSCRIPTIONS = 16;

/**
 * The worker's webhook delivery loop: every WEBHOOK_POLL_MS it looks at the
 * active subscriptions of every tenant and, for each one it can lease and
 * is not serving already, walks its events (events/webhook-delivery.ts). It
 * runs beside the Temporal worker, reading the event feed on its own time:
 * neither the chat's fast path nor a session workflow ever waits on a
 * receiver. Every worker runs it; the leases keep each subscription to one
 * sender. Beside it, an hourly round removes expired events.
 */
export function startWebhookDelivery(options: {
  db: Db;
  config: EventConfig;
  log: Logger;
  metrics?: EngineMetrics;
}): {
  stop: () => Promise<void>;
} {
  const { db, config, log } = options;
  const webhooks = webhookStore(db);
  const delivery = webhookDelivery({
    webhooks,
    feed: eventFeed(db, {
      settleMs: config.EVENT_SETTLE_MS,
      retentionDays: config.EVENT_RETENTION_DAYS,
    }),
    settings: {
      schedule: {
        baseMs: config.WEBHOOK_RETRY_BASE_MS,
        maxMs: config.WEBHOOK_RETRY_MAX_MS,
        windowMs: config.WEBHOOK_RETRY_WINDOW_MS,
      },
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
      disableAfter: config.WEBHOOK_DISABLE_AFTER_FAILURES,
    },
    onDelivered: (lagMs) => options.metrics?.webhookDeliveryLag.observe(lagMs / 1000),
  });
  const lease = leases(db, `worker-${randomUUID()}`, {
    durationMs: 3 * config.WEBHOOK_TIMEOUT_MS + 5_000,
  });
  const serving = new Map<string, Promise<void>>();
  let stopped = false;

  const tick = async () => {
    for (const subscription of await webhooks.active()) {
      if (stopped || serving.size >= PARALLEL_SUBSCRIPTIONS) return;
      if (serving.has(subscription._id)) continue;
      const work = (async () => {
        const held = await lease.take(subscription);
        if (held) await delivery.serve(subscription, held, () => stopped);
      })()
        .catch((error: unknown) =>
          log.warn('webhook delivery round failed; the next tick retries', {
            tenantId: subscription.tenantId,
            webhookId: subscription.webhookId,
            error: String(error),
          }),
        )
        .finally(() => serving.delete(subscription._id));
      serving.set(subscription._id, work);
    }
  };
  const rounds = startPeriodicRounds({
    name: 'webhook delivery',
    intervalMs: config.WEBHOOK_POLL_MS,
    log,
    round: () => (stopped ? Promise.resolve() : tick()),
  });
  const expiry = startPeriodicRounds({
    name: 'event retention',
    intervalMs: 3600_000,
    log,
    round: () => removeExpiredEvents(db, config.EVENT_RETENTION_DAYS),
  });
  return {
    async stop() {
      stopped = true;
      await Promise.all([rounds.stop(), expiry.stop()]);
      await Promise.all(serving.values());
    },
  };
}
