import { sessionPhases, type SessionPhase } from '../domain/session';
import type { RedisClient } from '../runtime/connections';
import { luaScript } from './redis/eval';
import { tenantPrefix } from './redis/keys';

/** What a message send must know of its session: where it stands and whose it is. */
export interface CachedFacts {
  phase: SessionPhase;
  agentId?: string;
}

/**
 * Session facts kept in Redis beside the MongoDB projection, so a chat
 * message is authorised without a database read. The session store forgets
 * an entry after every projection write; a refill stores what it read only
 * if no write forgot the entry since the refill began (a generation number in
 * the same hash), so a slow reader cannot put back facts older than a write.
 * Entries live a few seconds; Redis trouble only sends reads to MongoDB (and
 * a forget that fails leaves an entry at most that long).
 */
export interface FactsCache {
  get(tenantId: string, sessionId: string): Promise<CachedFacts | undefined>;
  /** Taken before reading MongoDB, handed back to `set`. */
  generation(tenantId: string, sessionId: string): Promise<string>;
  set(tenantId: string, sessionId: string, facts: CachedFacts, generation: string): Promise<void>;
  forget(tenantId: string, sessionId: string): Promise<void>;
}

const isPhase = (value: unknown): value is SessionPhase =>
  typeof value === 'string' && (sessionPhases as readonly string[]).includes(value);

const setIfUnchanged = luaScript(`
local generation = redis.call('HGET', KEYS[1], 'gen') or ''
if generation ~= ARGV[4] then return 0 end
redis.call('HSET', KEYS[1], 'phase', ARGV[1], 'agentId', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`);

/** A generation no entry has: `set` with it stores nothing. */
const unknownGeneration = 'unknown';
/** How long a forgotten entry remembers its generation, for refills still in flight. */
const generationTtlMs = 24 * 60 * 60 * 1000;

/** The cache entry of one session (also erased with the session's customer). */
export const factsKey = (tenantId: string, sessionId: string): string =>
  `${tenantPrefix(tenantId)}facts:${sessionId}`;

export function redisFactsCache(redis: RedisClient, ttlMs = 5_000): FactsCache {
  const keyOf = factsKey;
  return {
    async get(tenantId, sessionId) {
      try {
        const [phase, agentId] = await redis.hmGet(keyOf(tenantId, sessionId), [
          'phase',
          'agentId',
        ]);
        if (!isPhase(phase)) return undefined;
        return { phase, ...(agentId ? { agentId } : {}) };
      } catch {
        return undefined;
      }
    },
    async generation(tenantId, sessionId) {
      try {
        return (await redis.hGet(keyOf(tenantId, sessionId), 'gen')) ?? '';
      } catch {
        return unknownGeneration;
      }
    },
    async set(tenantId, sessionId, facts, generation) {
      if (generation === unknownGeneration) return;
      await setIfUnchanged(redis, keyOf(tenantId, sessionId), [
        facts.phase,
        facts.agentId ?? '',
        String(ttlMs),
        generation,
      ]).catch(() => undefined);
    },
    async forget(tenantId, sessionId) {
      const key = keyOf(tenantId, sessionId);
      await redis
        .multi()
        .hIncrBy(key, 'gen', 1)
        .hDel(key, ['phase', 'agentId'])
        .pExpire(key, generationTtlMs)
        .exec()
        .catch(() => undefined);
    },
  };
}

/** For stores used without Redis (tools, some tests): every read goes to MongoDB. */
export const noFactsCache: FactsCache = {
  get: () => Promise.resolve(undefined),
  generation: () => Promise.resolve(unknownGeneration),
  set: () => Promise.resolve(),
  forget: () => Promise.resolve(),
};
