import { z } from 'zod';
import type { WebhookDeliveryDoc, WebhookDoc } from '../stores/collections';
import type { WebhookStore } from '../stores/webhooks';
import { nextAttemptAt, type RetrySchedule } from './backoff';
import { deliver, type Attempt } from './deliver';
import type { EventFeed } from './feed';
import type { Lease } from './lease';

/**
 * Delivering one subscription's events, by the worker that holds its lease
 * (lease.ts), so one sender at a time walks it.
 *
 * The walk follows the tenant's event feed (feed.ts) from the
 * subscription's cursor, filtered by its types:
 *
 * 1. Redeliveries asked for through the API go first: each is sent once,
 *    outside the order, and its result logged.
 * 2. The head — the event being retried — is sent when its next attempt is
 *    due. Delivered (2xx), or failed after the retry window: the cursor moves
 *    past it. Otherwise it stays the head and the walk stops: later events
 *    wait, so a receiver gets them in order.
 * 3. With no head, the next page of events after the cursor is sent, in
 *    order; the page's deliveries are logged and the cursor moved once,
 *    after it (one write each, not one per event), so a worker that dies
 *    mid-page sends the page again (at least once; the event id dedupes).
 *    The first event of the page that fails becomes the head.
 *
 * A subscription whose deliveries keep failing — `disableAfter` failed in a
 * row — is disabled with the reason, visible in GET until its owner turns it
 * on again; its cursor stays, so nothing after it is skipped.
 */

export interface DeliverySettings {
  schedule: RetrySchedule;
  timeoutMs: number;
  allowPrivate: boolean;
  disableAfter: number;
}

export interface DeliveryDeps {
  webhooks: WebhookStore;
  feed: EventFeed;
  settings: DeliverySettings;
  /** The sender; tests and the loop use the real one (deliver.ts). */
  send?: typeof deliver;
  /**
   * The time retries are scheduled and due by (default: the wall clock); a
   * test walks a receiver's hours of outage on a clock of its own.
   */
  clock?: () => Date;
  /** An in-order delivery was answered 2xx this long after its event happened (the ops metric). */
  onDelivered?: (lagMs: number) => void;
}

/** When the event in a logged body happened; undefined for a body that does not say. */
const occurredAt = (payload: string): number | undefined => {
  try {
    const parsed = z.object({ occurredAt: z.string() }).safeParse(JSON.parse(payload));
    const at = parsed.success ? Date.parse(parsed.data.occurredAt) : Number.NaN;
    return Number.isNaN(at) ? undefined : at;
  } catch {
    return undefined;
  }
};

/** Applies one attempt's outcome to the delivery: delivered, retrying with a next time, or failed. */
function afterAttempt(
  doc: WebhookDeliveryDoc,
  result: Attempt,
  schedule: RetrySchedule | undefined,
  at: Date,
  now: Date,
): WebhookDeliveryDoc {
  const firstAttemptAt = doc.firstAttemptAt ?? at;
  const attempts = doc.attempts + 1;
  const base: WebhookDeliveryDoc = {
    ...doc,
    attempts,
    firstAttemptAt,
    lastAttemptAt: at,
    latencyMs: result.latencyMs,
    redeliver: undefined,
    nextAttemptAt: undefined,
    responseStatus: result.status,
    error: result.error,
  };
  if (result.ok) return { ...base, status: 'delivered' };
  const next = schedule && nextAttemptAt(schedule, firstAttemptAt, attempts, now);
  return next
    ? { ...base, status: 'retrying', nextAttemptAt: next }
    : { ...base, status: 'failed' };
}

/** The customer and session an event's body names, kept beside its logged copy for erasure. */
const about = (data: Record<string, unknown>) => ({
  ...(typeof data.visitorId === 'string' ? { visitorId: data.visitorId } : {}),
  ...(typeof data.sessionId === 'string' ? { sessionId: data.sessionId } : {}),
});

/** Events a walk reads from the feed and sends before it logs them and saves its cursor. */
const PAGE = 50;

/** Drops undefined fields: the stored document has them absent, not null. */
const compact = (doc: WebhookDeliveryDoc): WebhookDeliveryDoc =>
  Object.fromEntries(Object.entries(doc).filter(([, v]) => v !== undefined)) as WebhookDeliveryDoc;

export function webhookDelivery(deps: DeliveryDeps) {
  const { webhooks, feed, settings } = deps;
  const send = deps.send ?? deliver;
  const clock = deps.clock ?? (() => new Date());

  const attempt = async (subscription: WebhookDoc, doc: WebhookDeliveryDoc) => {
    const at = clock();
    const result = await send({
      url: subscription.url,
      secret: subscription.secret,
      eventId: doc.eventId,
      eventType: doc.eventType,
      payload: doc.payload,
      attempt: doc.attempts + 1,
      timeoutMs: settings.timeoutMs,
      allowPrivate: settings.allowPrivate,
    });
    return { at, result };
  };

  return {
    /** Works on the subscription until nothing is due or the lease runs short. */
    async serve(
      subscription: WebhookDoc,
      lease: Lease,
      stopping: () => boolean = () => false,
    ): Promise<void> {
      // An attempt is started only if it ends, at its time limit, well inside the lease.
      const canStart = () =>
        !stopping() && Date.now() + settings.timeoutMs + 1_000 < lease.until.getTime();

      for (const doc of await webhooks.redeliveries(subscription)) {
        if (!canStart()) return;
        const { at, result } = await attempt(subscription, doc);
        // Once, outside the order: a failed redelivery is not retried.
        await webhooks.saveDelivery(compact(afterAttempt(doc, result, undefined, at, clock())));
      }

      const progress = await webhooks.progress(subscription);
      while (canStart()) {
        if (progress.headEventId) {
          const head = await webhooks.delivery(
            subscription.tenantId,
            subscription.webhookId,
            progress.headEventId,
          );
          let done = head;
          if (head && (head.status === 'pending' || head.status === 'retrying')) {
            if (head.nextAttemptAt && head.nextAttemptAt > clock()) return;
            const { at, result } = await attempt(subscription, head);
            done = compact(afterAttempt(head, result, settings.schedule, at, clock()));
            await webhooks.saveDelivery(done);
            const happened = result.ok ? occurredAt(head.payload) : undefined;
            if (happened !== undefined) deps.onDelivered?.(Date.now() - happened);
            if (done.status === 'retrying') return;
          }
          // Delivered or given up on (or its log entry is gone): the cursor moves past it.
          progress.cursor = done?.position ?? progress.cursor;
          progress.headEventId = undefined;
          progress.failedInARow = done?.status === 'failed' ? progress.failedInARow + 1 : 0;
          await webhooks.saveProgress(progress);
          if (done?.status === 'failed' && progress.failedInARow >= settings.disableAfter) {
            await webhooks.disable(
              subscription,
              `${progress.failedInARow} deliveries in a row failed after retrying for ` +
                `${Math.round(settings.schedule.windowMs / 60_000)} min; the last: ${done.error ?? 'no answer'}`,
            );
            return;
          }
          continue;
        }
        // The feed's settle window is about real inserts, so it reads on the wall clock.
        const { entries } = await feed.read(subscription.tenantId, {
          after: progress.cursor,
          types: subscription.types,
          limit: PAGE,
        });
        if (entries.length === 0) return;
        // The page is sent in order; its deliveries are logged and the cursor saved once,
        // after it. A worker that dies mid-page has saved neither, so the next one sends
        // the page again: at least once, and the event ids let the receiver drop repeats.
        const delivered: WebhookDeliveryDoc[] = [];
        let failedHead: WebhookDeliveryDoc | undefined;
        for (const entry of entries) {
          if (!canStart()) break;
          const fresh: WebhookDeliveryDoc = {
            _id: webhooks.deliveryId(subscription, entry.event.id),
            tenantId: subscription.tenantId,
            webhookId: subscription.webhookId,
            eventId: entry.event.id,
            eventType: entry.event.type,
            position: entry.position,
            payload: JSON.stringify(entry.event),
            ...about(entry.event.data),
            status: 'pending',
            attempts: 0,
            createdAt: clock(),
          };
          const { at, result } = await attempt(subscription, fresh);
          const done = compact(afterAttempt(fresh, result, settings.schedule, at, clock()));
          if (done.status !== 'delivered') {
            failedHead = done;
            break;
          }
          delivered.push(done);
          const happened = occurredAt(fresh.payload);
          if (happened !== undefined) deps.onDelivered?.(Date.now() - happened);
        }
        await webhooks.logDeliveries(delivered);
        const last = delivered.at(-1);
        if (last) {
          progress.cursor = last.position;
          progress.failedInARow = 0;
        }
        if (failedHead) {
          // The event that failed becomes the head: retried on its schedule, later ones wait.
          await webhooks.saveDelivery(failedHead);
          progress.headEventId = failedHead.eventId;
        }
        await webhooks.saveProgress(progress);
      }
    },
  };
}
