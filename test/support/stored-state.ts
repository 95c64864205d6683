import type { Client } from '@temporalio/client';
import type { Db } from 'mongodb';
import type { RedisClient } from '../../runtime/connections';

export interface StateSources {
  db: Db;
  redis: RedisClient;
  temporal: Client;
}

async function redisValue(redis: RedisClient, key: string): Promise<unknown> {
  const type = await redis.type(key);
  switch (type) {
    case 'string':
      return redis.get(key);
    case 'hash':
      return Object.entries(await redis.hGetAll(key)).sort();
    case 'zset':
      return redis.zRangeWithScores(key, 0, -1);
    case 'set':
      return (await redis.sMembers(key)).sort();
    case 'list':
      return redis.lRange(key, 0, -1);
    default:
      return type;
  }
}

/**
 * Everything stored for one tenant, as sorted lines: each MongoDB document
 * that mentions the tenant id (whatever the collection), each Redis key that
 * does, with its value, and the history length of the given workflows. Two
 * equal snapshots mean nothing about the tenant was written in between.
 * Scoped to the tenant so other tests' sessions, still busy, do not count.
 */
export async function storedState(
  sources: StateSources,
  tenantId: string,
  workflowIds: readonly string[],
): Promise<string[]> {
  const names = (await sources.db.listCollections({}, { nameOnly: true }).toArray()).map(
    (c) => c.name,
  );
  const documents = await Promise.all(
    names.map(async (name) => {
      const docs = await sources.db.collection(name).find({}).toArray();
      return docs
        .map((doc) => `mongo ${name} ${JSON.stringify(doc)}`)
        .filter((line) => line.includes(tenantId));
    }),
  );
  const keys = await sources.redis.keys(`*${tenantId}*`);
  const values = await Promise.all(
    keys.map(async (key) => `redis ${key} ${JSON.stringify(await redisValue(sources.redis, key))}`),
  );
  const histories = await Promise.all(
    workflowIds.map(async (id) => {
      const description = await sources.temporal.workflow.getHandle(id).describe();
      return `workflow ${id} history length ${description.historyLength}`;
    }),
  );
  return [...documents.flat(), ...values, ...histories].sort();
}

/** Lines only in `before` (changed or removed) and only in `after` (changed or added). */
export function stateDifference(before: readonly string[], after: readonly string[]): string[] {
  const was = new Set(before);
  const is = new Set(after);
  return [
    ...before.filter((line) => !is.has(line)).map((line) => `- ${line}`),
    ...after.filter((line) => !was.has(line)).map((line) => `+ ${line}`),
  ];
}
