import { z } from 'zod';
import { orderSchema, type Order } from '../domain/order-lookup';
import type { Entry } from '../domain/session';
import type { RedisClient } from '../runtime/connections';
import { tenantPrefix } from './redis/keys';

/**
 * Order lookup answers kept a short while, so an agent switching between
 * chats (or two agents on one customer) does not ask the merchant's system
 * again each time. One Redis hash per (tenant, customer), a field per entry
 * (`<type>:<ref>`): the key is under the tenant's prefix, and erasing the
 * customer deletes one key. Each field carries its own expiry (a hash's
 * fields cannot expire one by one on every Redis version we run), and the
 * hash itself expires with its newest field. Only answers are kept, never a
 * failure, so the next look retries. Redis trouble only means asking again.
 */

export interface CachedOrders {
  orders: Order[];
  fetchedAt: string;
}

const cachedSchema = z.object({
  orders: z.array(orderSchema),
  fetchedAt: z.string(),
  expiresAt: z.number(),
});

/** The customer's cache entry (also erased with the customer). */
export const orderContextKey = (tenantId: string, visitorId: string): string =>
  `${tenantPrefix(tenantId)}order-context:${visitorId}`;

const fieldOf = (entry: Entry) => `${entry.type}:${entry.ref ?? ''}`;

export function orderContextCache(redis: RedisClient, ttlSeconds: number) {
  return {
    async get(
      tenantId: string,
      visitorId: string,
      entry: Entry,
    ): Promise<CachedOrders | undefined> {
      try {
        const raw = await redis.hGet(orderContextKey(tenantId, visitorId), fieldOf(entry));
        if (!raw) return undefined;
        const parsed = cachedSchema.safeParse(JSON.parse(raw));
        if (!parsed.success || parsed.data.expiresAt <= Date.now()) return undefined;
        return { orders: parsed.data.orders, fetchedAt: parsed.data.fetchedAt };
      } catch {
        return undefined;
      }
    },

    async set(tenantId: string, visitorId: string, entry: Entry, value: CachedOrders) {
      const key = orderContextKey(tenantId, visitorId);
      const expiresAt = Date.now() + ttlSeconds * 1000;
      try {
        await redis
          .multi()
          .hSet(key, fieldOf(entry), JSON.stringify({ ...value, expiresAt }))
          .expire(key, ttlSeconds)
          .exec();
      } catch {
        // Not kept: the next look asks the merchant's system again.
      }
    },
  };
}

export type OrderContextCache = ReturnType<typeof orderContextCache>;
