import { Client, type Connection } from '@temporalio/client';
import { MongoClient, type Db } from 'mongodb';
import { createClient } from 'redis';
import { ScopedCallConnection } from './temporal-connection';

/** Connections to the three servers, made the same way by the API, the worker and the tests. */

/**
 * No per-command timeout, and no queue while disconnected: a command sent
 * without a connection fails at once (a MULTI only at the next failed
 * reconnect attempt), and one in flight fails when the connection drops.
 * The client's default 5 s timeout arms an `AbortSignal.timeout` (a timer
 * and listeners) for every command; on the chat path, a handful of commands
 * per message, that cost more than a third of the gateway's throughput
 * (BENCHMARKS.md). A server that keeps the connection but stops answering is
 * caught by `watchForStalls` instead.
 */
const redisClient = (url: string) =>
  createClient({
    url,
    commandOptions: { timeout: 0 },
    disableOfflineQueue: true,
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

const stopWatching = new WeakMap<RedisClient, () => void>();

/**
 * Commands carry no timer of their own (see redisClient), so a connection
 * that stays open while its server stops answering (a stalled server, a
 * black-holed network) would hold them for good. Once a second the watchdog
 * PINGs; when a PING has gone unanswered for `stallMs`, it drops the
 * connection, which fails every command waiting on it, and connects again.
 * One PING a second per client instead of a timer per command.
 *
 * Only the server's silence counts: time this process did not run (a long
 * synchronous task, a starved CPU) restarts the wait, and a reply already
 * waiting to be read is read before the verdict.
 */
export function watchForStalls(client: RedisClient, onStall: () => void, stallMs = 3_000): void {
  const everyMs = 1_000;
  let asked: { at: number } | undefined;
  let lastTick = Date.now();
  const timer = setInterval(() => {
    const tick = Date.now();
    const processStalled = tick - lastTick > 2 * everyMs;
    lastTick = tick;
    if (!client.isReady) {
      asked = undefined;
      return;
    }
    if (!asked) {
      const ping = { at: tick };
      asked = ping;
      const answered = () => {
        if (asked === ping) asked = undefined;
      };
      client.ping().then(answered, answered);
      return;
    }
    if (processStalled) {
      asked.at = tick;
      return;
    }
    if (tick - asked.at < stallMs) return;
    const suspect = asked;
    // Timers run before I/O in a turn of the event loop; setImmediate runs after it.
    setImmediate(() => {
      if (asked !== suspect || !client.isReady) return;
      asked = undefined;
      onStall();
      client.destroy();
      // Retries with the reconnect strategy until the server answers again.
      client.connect().catch(() => undefined);
    });
  }, everyMs);
  timer.unref();
  stopWatching.set(client, () => clearInterval(timer));
}

/**
 * A Redis client that keeps reconnecting (with a capped backoff) when the
 * server goes away or stops answering. `onError` hears about an outage once,
 * when it starts, not at every reconnect attempt; `onRecovered` when the
 * client is ready again.
 */
export async function connectRedis(
  url: string,
  onError: (error: Error) => void,
  onRecovered: () => void = () => undefined,
): Promise<RedisClient> {
  const client = redisClient(url);
  let down = false;
  const outage = (error: Error) => {
    if (down) return;
    down = true;
    onError(error);
  };
  client.on('error', outage);
  client.on('ready', () => {
    if (!down) return;
    down = false;
    onRecovered();
  });
  await client.connect();
  watchForStalls(client, () => outage(new Error('redis stopped answering; reconnecting')));
  return client;
}

/**
 * Closes gracefully (pending commands finish) while connected; a client that
 * lost its server is dropped at once instead of waiting for a reconnect.
 */
export async function closeRedis(client: RedisClient): Promise<void> {
  stopWatching.get(client)?.();
  if (!client.isOpen) return;
  if (client.isReady) await client.close();
  else client.destroy();
}

/**
 * The same client, except that PUBLISH never rejects. socket.io's Redis
 * adapter and emitter publish without handling the result, so with no
 * offline queue a publish during a Redis outage would reject unhandled and
 * end the process. What they publish is best effort anyway: receivers resync
 * by seq (DESIGN.md §6).
 */
export function publishingQuietly(client: RedisClient): RedisClient {
  // The library's own `withCommandOptions` derives clients the same way.
  const quiet = Object.create(client) as RedisClient;
  Object.defineProperty(quiet, 'publish', {
    value: (channel: string, message: string | Buffer) =>
      client.publish(channel, message).catch(() => 0),
  });
  return quiet;
}

export interface TemporalHandle {
  connection: Connection;
  client: Client;
}

export async function connectTemporal(address: string, namespace: string): Promise<TemporalHandle> {
  const connection = await ScopedCallConnection.connect({ address });
  return { connection, client: new Client({ connection, namespace }) };
}
