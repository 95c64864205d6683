import { createHash } from 'node:crypto';
import type { RedisClient } from '../../runtime/connections';

/**
 * Runs a Lua script by its SHA1, loading it on first use (and again after a
 * Redis restart or FLUSHALL, which drop the script cache).
 *
 * A script declares one key, and builds the others it touches from the
 * tenant's key prefix (passed as an argument). One is enough: every key of a
 * tenant carries the tenant's hash tag (see keys.ts), so they all hash to the
 * declared key's Redis Cluster slot, and the script runs atomically there.
 */
export function luaScript(source: string) {
  const sha = createHash('sha1').update(source).digest('hex');
  return async (redis: RedisClient, key: string, args: string[]): Promise<unknown> => {
    try {
      return await redis.evalSha(sha, { keys: [key], arguments: args });
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(source, { keys: [key], arguments: args });
    }
  };
}
