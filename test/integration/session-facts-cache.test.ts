import {
  closeRedis,
  connectMongo,
  type MongoHandle,
  type RedisClient,
} from '../../runtime/connections';
import { tenantPrefix } from '../../stores/redis/keys';
import { redisFactsCache } from '../../stores/session-facts-cache';
import { sessionStore } from '../../stores/sessions';
import { closeMongo } from '../support/mongo';
import { recordedSession } from '../support/recorded-session';
import { testRedis } from '../support/redis';
import { testStack, uniqueDatabase, uniqueId } from '../support/stack';

/** Session facts for the chat fast path: Redis first, MongoDB when Redis has nothing. */
describe('session facts cache', () => {
  let redis: RedisClient;
  let mongo: MongoHandle;

  beforeAll(async () => {
    redis = await testRedis();
    mongo = await connectMongo(testStack.mongodbUrl, uniqueDatabase());
  });
  afterAll(async () => {
    await closeRedis(redis);
    await closeMongo(mongo, { drop: true });
  });

  it('when facts were read once, then the next read is answered by Redis; a projection write makes the next read see it', async () => {
    const tenantId = uniqueId('tenant');
    const cache = redisFactsCache(redis, 60_000);
    const sessions = sessionStore(mongo.db, cache);
    const sessionId = await recordedSession(sessions, tenantId);

    expect(await sessions.facts(tenantId, sessionId)).toEqual({ phase: 'robot' });
    expect(await cache.get(tenantId, sessionId)).toEqual({ phase: 'robot' });

    await sessions.project(tenantId, sessionId, { phase: 'assigned', agentId: 'a1' });
    expect(await cache.get(tenantId, sessionId)).toBeUndefined();
    expect(await sessions.facts(tenantId, sessionId)).toEqual({ phase: 'assigned', agentId: 'a1' });
    expect(await cache.get(tenantId, sessionId)).toEqual({ phase: 'assigned', agentId: 'a1' });
  });

  it('when a projection write lands while a refill is reading MongoDB, then the refill does not put the older facts back', async () => {
    const cache = redisFactsCache(redis, 60_000);
    const [tenantId, sessionId] = [uniqueId('tenant'), uniqueId('session')];
    // A refill took its generation and read the old facts…
    const generation = await cache.generation(tenantId, sessionId);
    // …then a write forgot the entry, before the refill stored what it read.
    await cache.forget(tenantId, sessionId);
    await cache.set(tenantId, sessionId, { phase: 'assigned', agentId: 'old-agent' }, generation);
    expect(await cache.get(tenantId, sessionId)).toBeUndefined();
    // A refill begun after the write stores its facts.
    const later = await cache.generation(tenantId, sessionId);
    await cache.set(tenantId, sessionId, { phase: 'assigned', agentId: 'new-agent' }, later);
    expect(await cache.get(tenantId, sessionId)).toEqual({
      phase: 'assigned',
      agentId: 'new-agent',
    });
  });

  it('when another tenant asks, then there are no facts, from MongoDB or the cache', async () => {
    const sessions = sessionStore(mongo.db, redisFactsCache(redis));
    const tenantId = uniqueId('tenant');
    const sessionId = await recordedSession(sessions, tenantId);
    await sessions.facts(tenantId, sessionId);
    expect(await sessions.facts(uniqueId('other'), sessionId)).toBeUndefined();
  });

  it('when an entry is written, then Redis expires it within its time to live', async () => {
    const cache = redisFactsCache(redis, 5_000);
    const [tenantId, sessionId] = [uniqueId('tenant'), uniqueId('session')];
    await cache.set(tenantId, sessionId, { phase: 'queued' }, '');
    const ttl = await redis.pTTL(`${tenantPrefix(tenantId)}facts:${sessionId}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
  });
});
