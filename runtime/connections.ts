import { Connection, Client } from '@temporalio/client';
import { MongoClient, type Db } from 'mongodb';
import { createClient } from 'redis';

/** Connections to the three servers, made the same way by the API, the worker and the tests. */

const redisClient = (url: string) =>
  createClient({
    url,
    socket: {
      connectTimeout: 5_000,
      reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 3_000),
    },
  });

export type RedisClient = ReturnType<typeof redisClient>;

export interface MongoHandle {
  client: MongoClient;
  db: Db;
}

export async function connectMongo(url: string, database: string): Promise<MongoHandle> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
  await client.connect();
  return { client, db: client.db(database) };
}

/**
 * A Redis client that keeps reconnecting (with a capped backoff) when the
 * server goes away. `onError` hears about an outage once, when it starts, not
 * at every reconnect attempt; `onRecovered` when the client is ready again.
 */
export async function connectRedis(
  url: string,
  onError: (error: Error) => void,
  onRecovered: () => void = () => undefined,
): Promise<RedisClient> {
  const client = redisClient(url);
  let down = false;
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    onError(error);
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    onRecovered();
  });
  await client.connect();
  return client;
}

/**
 * Closes gracefully (pending commands finish) while connected; a client that
 * lost its server is dropped at once instead of waiting for a reconnect.
 */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (!client.isOpen) return;
  if (client.isReady) await client.close();
  else client.destroy();
}

export interface TemporalHandle {
  connection: Connection;
  client: Client;
}

export async function connectTemporal(address: string, namespace: string): Promise<TemporalHandle> {
  const connection = await Connection.connect({ address });
  return { connection, client: new Client({ connection, namespace }) };
}
