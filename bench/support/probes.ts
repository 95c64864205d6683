import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Db } from 'mongodb';
import type { RedisClient } from '../../runtime/connections';
import { summarize } from '../stats';

/**
 * What the servers and this process's event loop were doing while a row
 * ran, sampled beside it: a MongoDB read by `_id`, a one-document insert
 * and a Redis PING from connections of the benchmark's own (not the
 * engine's), each on its own timer, and the event loop's delay (the
 * engine's API shares this process when it runs in it). When a row's
 * latency tail shows in these too, the servers or the loop are what it
 * waits on; when it does not, it is something inside the engine's own path
 * (its pools, its queues).
 */
export function startProbes(db: Db, redis: RedisClient, everyMs = 50) {
  const probe = db.collection<{ _id: string; at?: Date }>('bench_probe');
  const samples = {
    mongoRead: [] as number[],
    mongoInsert: [] as number[],
    redisPing: [] as number[],
  };
  const resolutionMs = 10;
  const loop = monitorEventLoopDelay({ resolution: resolutionMs });
  loop.enable();
  let stopped = false;
  const every = (name: keyof typeof samples, run: () => Promise<unknown>) => {
    const tick = async () => {
      while (!stopped) {
        const t = performance.now();
        await run().catch(() => undefined);
        samples[name].push(performance.now() - t);
        await new Promise((resolve) => setTimeout(resolve, everyMs));
      }
    };
    return tick();
  };
  const running = Promise.all([
    every('mongoRead', () => probe.findOne({ _id: 'probe' })),
    every('mongoInsert', () => probe.insertOne({ _id: randomUUID(), at: new Date() })),
    every('redisPing', () => redis.ping()),
  ]);
  return {
    async stop(): Promise<string[]> {
      stopped = true;
      loop.disable();
      await running;
      // The histogram holds each sampling interval whole: an idle loop shows the resolution.
      const ms = (ns: number) => Math.max(0, ns / 1e6 - resolutionMs).toFixed(1);
      const line = (name: string, values: number[]) => {
        const s = summarize(values);
        return `${name}: n=${s.n} p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`;
      };
      return [
        `event-loop delay of this process (beyond its ${resolutionMs} ms sampling): p50 ${ms(loop.percentile(50))} ms, p99 ${ms(loop.percentile(99))} ms, max ${ms(loop.max)} ms`,
        line('MongoDB findOne by _id (own connection)', samples.mongoRead),
        line('MongoDB insertOne (own connection)', samples.mongoInsert),
        line('Redis PING (own connection)', samples.redisPing),
      ];
    },
  };
}
