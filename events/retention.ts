import type { Db } from 'mongodb';
import { collections } from '../stores/collections';

/**
 * Events and delivery log entries older than the retention period are
 * removed (the feed stops serving them at the same age). Messages are not:
 * their `message.created` entries leave the feed by age, the messages
 * themselves follow the tenant's own retention (stores/retention.ts).
 */
export async function removeExpiredEvents(
  db: Db,
  retentionDays: number,
  now: Date = new Date(),
): Promise<{ events: number; deliveries: number }> {
  const { events, webhookDeliveries } = collections(db);
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const [removedEvents, removedDeliveries] = await Promise.all([
    events.deleteMany({ at: { $lt: cutoff } }),
    webhookDeliveries.deleteMany({ createdAt: { $lt: cutoff } }),
  ]);
  return { events: removedEvents.deletedCount, deliveries: removedDeliveries.deletedCount };
}
