import type { ChildProcess } from 'node:child_process';
import {
  closeRedis,
  connectRedis,
  publishingQuietly,
  type RedisClient,
} from '../../runtime/connections';
import { startOwnRedis } from '../support/own-redis';

/**
 * The engine's Redis client without its server: nothing waits for a
 * reconnect, and the publishes socket.io makes without handling their result
 * cannot take the process down.
 */
describe('the Redis client when its server is gone', () => {
  let server: ChildProcess;
  let client: RedisClient;

  beforeAll(async () => {
    const own = await startOwnRedis();
    server = own.process;
    client = await connectRedis(own.url, () => undefined);
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGKILL');
    await exited;
    for (let i = 0; i < 100 && client.isReady; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  afterAll(async () => {
    await closeRedis(client);
  });

  it('when a command is sent, then it fails at once instead of waiting for a reconnect', async () => {
    expect(client.isReady).toBe(false);
    const started = Date.now();
    await expect(client.get('any-key')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('when socket.io publishes through the quiet client, then the publish resolves with no receivers', async () => {
    await expect(client.publish('channel', 'message')).rejects.toThrow();
    await expect(publishingQuietly(client).publish('channel', 'message')).resolves.toBe(0);
  });

  it('when the quiet client is used for anything else, then it is the same client', async () => {
    await expect(publishingQuietly(client).get('any-key')).rejects.toThrow();
  });
});

describe('the Redis client when its server stops answering', () => {
  let server: ChildProcess;
  let client: RedisClient;
  const outages: string[] = [];
  let recoveries = 0;

  beforeAll(async () => {
    const own = await startOwnRedis();
    server = own.process;
    client = await connectRedis(
      own.url,
      (error) => outages.push(error.message),
      () => recoveries++,
    );
  });

  afterAll(async () => {
    server.kill('SIGCONT');
    await closeRedis(client);
    server.kill('SIGKILL');
  });

  it('when this process itself stops running for seconds, then a healthy connection is kept', async () => {
    const ping = client.ping.bind(client);
    let blocked = false;
    // The watchdog's next PING goes out, then the process runs nothing else for 4.5 s.
    Object.defineProperty(client, 'ping', {
      configurable: true,
      value: (...args: Parameters<typeof ping>) => {
        const sent = ping(...args);
        if (!blocked) {
          blocked = true;
          const until = Date.now() + 4_500;
          while (Date.now() < until) {
            // Busy: no timers, no I/O.
          }
        }
        return sent;
      },
    });
    try {
      for (let i = 0; i < 40 && !blocked; i++) await new Promise((r) => setTimeout(r, 100));
      expect(blocked).toBe(true);
      // Two more watchdog rounds after the block.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(outages).toEqual([]);
      expect(await client.get('key')).toBeNull();
    } finally {
      Reflect.deleteProperty(client, 'ping');
    }
  }, 20_000);

  it('when the server stalls with the connection open, then waiting commands fail within seconds, and the client is back once it answers', async () => {
    expect(await client.set('key', 'before')).toBe('OK');
    server.kill('SIGSTOP');
    const started = Date.now();
    await expect(client.get('key')).rejects.toThrow();
    // A PING a second, dropped after 3 s unanswered.
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(outages).toEqual(['redis stopped answering; reconnecting']);

    server.kill('SIGCONT');
    for (let i = 0; i < 200 && !client.isReady; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await client.get('key')).toBe('before');
    expect(recoveries).toBe(1);
  }, 30_000);
});
