import type { RedisClient } from '../runtime/connections';
import { tenantPrefix } from '../stores/redis/keys';
import { luaScript } from '../stores/redis/eval';

/** Counts a send in the current window; the first send of a window starts its expiry. */
const countSend = luaScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`);

export interface SendRate {
  limit: number;
  windowMs: number;
}

/** A shopper's send counter (also erased with the customer). */
export const sendRateKey = (tenantId: string, visitorId: string): string =>
  `${tenantPrefix(tenantId)}send-rate:${visitorId}`;

/**
 * A per-shopper send rate, shared by every gateway node through Redis (a
 * fixed window: simple, and good enough against floods). Losing Redis state
 * only resets the window.
 */
export function sendRateLimiter(redis: RedisClient, rate: SendRate) {
  return {
    rate,
    /** True when this send is within the limit (and counts it). */
    async allow(tenantId: string, visitorId: string): Promise<boolean> {
      const key = sendRateKey(tenantId, visitorId);
      const count = Number(await countSend(redis, key, [String(rate.windowMs)]));
      return count <= rate.limit;
    },
  };
}

export type SendRateLimiter = ReturnType<typeof sendRateLimiter>;
