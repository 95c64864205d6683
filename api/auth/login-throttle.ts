import type { RedisClient } from '../../runtime/connections';
import { luaScript } from '../../stores/redis/eval';
import { tenantPrefix } from '../../stores/redis/keys';

export interface LoginLimits {
  /** Failed logins one account may have per window before it must wait. */
  perAccount: number;
  /** Failed logins one client address may have per window (per tenant) before it must wait. */
  perAddress: number;
  windowSeconds: number;
}

/** Counts one failure; the first failure of a window starts its expiry. */
const countFailure = luaScript(`
if redis.call('INCR', KEYS[1]) == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return 1
`);

/**
 * Agent login throttling, shared by every node through Redis: failed
 * logins are counted per account and per client address (both within the
 * tenant, so one tenant's traffic never locks out another's agents) in a
 * fixed window that starts at the first failure. Past either limit, every
 * login of that account or from that address waits until the window ends,
 * even with the right password. A successful login clears the account's
 * count (not the address's: one good account must not unlock guessing at
 * the others). Losing Redis state only resets the windows.
 */
export function loginThrottle(redis: RedisClient, limits: LoginLimits) {
  const keys = (tenantId: string, agentId: string, address: string) => {
    const p = `${tenantPrefix(tenantId)}login-failures:`;
    return { account: `${p}account:${agentId}`, address: `${p}address:${address}` };
  };

  /** Seconds until the key's window ends, if its count has reached the limit. */
  async function waitOf(key: string, limit: number): Promise<number> {
    const [count, ttlMs] = await redis.multi().get(key).pTTL(key).exec();
    if (Number(count ?? 0) < limit) return 0;
    // A key without expiry (-1) cannot come from countFailure; treat it as a full window.
    const ms = Number(ttlMs) > 0 ? Number(ttlMs) : limits.windowSeconds * 1000;
    return Math.max(1, Math.ceil(ms / 1000));
  }

  return {
    limits,

    /** How many seconds the caller must wait before trying again; 0 when it may try now. */
    async retryAfter(tenantId: string, agentId: string, address: string): Promise<number> {
      const k = keys(tenantId, agentId, address);
      const [account, fromAddress] = await Promise.all([
        waitOf(k.account, limits.perAccount),
        waitOf(k.address, limits.perAddress),
      ]);
      return Math.max(account, fromAddress);
    },

    async failed(tenantId: string, agentId: string, address: string): Promise<void> {
      const k = keys(tenantId, agentId, address);
      const window = [String(limits.windowSeconds)];
      await Promise.all([
        countFailure(redis, k.account, window),
        countFailure(redis, k.address, window),
      ]);
    },

    async succeeded(tenantId: string, agentId: string, address: string): Promise<void> {
      await redis.del(keys(tenantId, agentId, address).account);
    },
  };
}

export type LoginThrottle = ReturnType<typeof loginThrottle>;
