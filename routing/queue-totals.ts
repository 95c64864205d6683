import { z } from 'zod';
import { priorityRange } from '../domain/routing-rules';
import type { RedisClient } from '../runtime/connections';
import type { QueueTotals } from '../runtime/metrics';
import { luaScript } from '../stores/redis/eval';
import { routingKeys } from './keys';

/**
 * ARGV: prefix, lowest band, highest band, then the tenant's group ids.
 * Per tenant: how many sessions wait in its group queues, and the earliest
 * queue entry among them (epoch ms; -1 with nobody waiting). A queue is
 * ordered by priority band, then arrival (scripts.ts: score = (9 - priority)
 * × BAND + enqueuedAt), so its longest-waiting session is the head of one of
 * its bands: one ranged read per band, not the whole queue. Read-only.
 */
const tenantQueuesScript = `
local P = ARGV[1]
local BAND = 10000000000000
local waiting, oldest = 0, -1
for i = 4, #ARGV do
  local queue = P .. 'queue:' .. ARGV[i]
  local length = redis.call('ZCARD', queue)
  if length > 0 then
    waiting = waiting + length
    for band = tonumber(ARGV[2]), tonumber(ARGV[3]) do
      local head = redis.call('ZRANGEBYSCORE', queue, band * BAND, '(' .. ((band + 1) * BAND), 'WITHSCORES', 'LIMIT', 0, 1)
      if head[2] then
        local enqueued = tonumber(head[2]) - band * BAND
        if oldest < 0 or enqueued < oldest then oldest = enqueued end
      end
    end
  end
end
return { tostring(waiting), tostring(oldest) }
`;
const tenantQueues = luaScript(tenantQueuesScript);
const reply = z.tuple([z.string(), z.string()]);

/**
 * The queues of every tenant together, for the ops gauges: one script per
 * tenant (its keys share one Redis Cluster slot), all sent at once.
 */
export async function queueTotals(
  redis: RedisClient,
  groupsByTenant: ReadonlyMap<string, readonly string[]>,
  now: number,
): Promise<QueueTotals> {
  const bands = [9 - priorityRange.max, 9 - priorityRange.min];
  const perTenant = await Promise.all(
    [...groupsByTenant].map(async ([tenantId, groupIds]) => {
      const keys = routingKeys(tenantId);
      const [waiting, oldest] = reply.parse(
        await tenantQueues(redis, keys.epoch, [keys.prefix, ...bands.map(String), ...groupIds]),
      );
      return { waiting: Number(waiting), oldest: Number(oldest) };
    }),
  );
  const oldest = Math.min(...perTenant.filter((t) => t.oldest >= 0).map((t) => t.oldest));
  return {
    waiting: perTenant.reduce((sum, t) => sum + t.waiting, 0),
    longestWaitMs: Number.isFinite(oldest) ? Math.max(0, now - oldest) : 0,
  };
}
