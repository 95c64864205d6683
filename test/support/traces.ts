import type { Client } from '@temporalio/client';
import type { Db } from 'mongodb';
import type { RedisClient } from '../../runtime/connections';

/**
 * Where an id still shows, looked for the blunt way: every document of
 * every collection, every Redis key and value, Temporal visibility. A
 * document, key or value that also names one of `spare` (another tenant's
 * id) is that tenant's and not counted.
 */

const mentions = (text: string, needles: string[], spare: string[]) =>
  needles.some((needle) => text.includes(needle)) && !spare.some((s) => text.includes(s));

export async function mongoTraces(db: Db, needles: string[], spare: string[] = []) {
  const found: string[] = [];
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    for (const doc of await db.collection(name).find({}).toArray()) {
      const text = JSON.stringify(doc);
      if (mentions(text, needles, spare)) found.push(`${name}: ${text.slice(0, 300)}`);
    }
  }
  return found;
}

async function redisValue(redis: RedisClient, key: string): Promise<unknown> {
  switch (await redis.type(key)) {
    case 'string':
      return redis.get(key);
    case 'hash':
      return redis.hGetAll(key);
    case 'set':
      return redis.sMembers(key);
    case 'zset':
      return redis.zRange(key, 0, -1);
    case 'list':
      return redis.lRange(key, 0, -1);
    default:
      return null;
  }
}

export async function redisTraces(redis: RedisClient, needles: string[], spare: string[] = []) {
  const found: string[] = [];
  for await (const keys of redis.scanIterator({ COUNT: 1000 })) {
    for (const key of keys) {
      const text = `${key} ${JSON.stringify(await redisValue(redis, key))}`;
      if (mentions(text, needles, spare)) found.push(text.slice(0, 300));
    }
  }
  return found;
}

/** Executions (any status, any run) a visibility query finds. */
export async function visibilityTraces(client: Client, queries: string[]) {
  const found: string[] = [];
  for (const query of queries) {
    for await (const execution of client.workflow.list({ query })) {
      found.push(`${execution.workflowId} (${execution.status.name})`);
    }
  }
  return found;
}
