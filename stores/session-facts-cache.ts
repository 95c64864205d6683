import { sessionPhases, type SessionPhase } from '../domain/session';
import type { RedisClient } from '../runtime/connections';
import { tenantPrefix } from './routing/keys';

/** What a message send must know of its session: where it stands and whose it is. */
export interface CachedFacts {
  phase: SessionPhase;
  agentId?: string;
}

/**
 * Session facts kept in Redis beside the MongoDB projection, so a chat
 * message is authorised without a database read (on FerretDB each read costs
 * more than the whole batched insert). The session store drops the entry
 * after every write, and an entry lives only a few seconds: a reader
 * that fetched the projection just before a write and cached it just after
 * leaves stale facts for at most that long. A flushed Redis only means reads
 * go to MongoDB until the entries are back.
 */
export interface FactsCache {
  get(tenantId: string, sessionId: string): Promise<CachedFacts | undefined>;
  set(tenantId: string, sessionId: string, facts: CachedFacts): Promise<void>;
  forget(tenantId: string, sessionId: string): Promise<void>;
}

const isPhase = (value: unknown): value is SessionPhase =>
  typeof value === 'string' && (sessionPhases as readonly string[]).includes(value);

export function redisFactsCache(redis: RedisClient, ttlMs = 5_000): FactsCache {
  const keyOf = (tenantId: string, sessionId: string) =>
    `${tenantPrefix(tenantId)}facts:${sessionId}`;
  return {
    async get(tenantId, sessionId) {
      const [phase, agentId] = await redis.hmGet(keyOf(tenantId, sessionId), ['phase', 'agentId']);
      if (!isPhase(phase)) return undefined;
      return { phase, ...(agentId ? { agentId } : {}) };
    },
    async set(tenantId, sessionId, facts) {
      const key = keyOf(tenantId, sessionId);
      await redis
        .multi()
        .hSet(key, { phase: facts.phase, agentId: facts.agentId ?? '' })
        .pExpire(key, ttlMs)
        .exec();
    },
    async forget(tenantId, sessionId) {
      await redis.del(keyOf(tenantId, sessionId));
    },
  };
}

/** For stores used without Redis (tools, some tests): every read goes to MongoDB. */
export const noFactsCache: FactsCache = {
  get: () => Promise.resolve(undefined),
  set: () => Promise.resolve(),
  forget: () => Promise.resolve(),
};
