import { performance } from 'node:perf_hooks';
import { Collection } from 'mongodb';
import { summarize } from '../stats';

/**
 * Times every MongoDB call this process makes through the driver's
 * `Collection` (the engine's API, when it runs in the benchmark's process),
 * by collection and operation, with how many failed: the timestamps along
 * the chat's path to storage. Patches the driver's prototype for the
 * process's life, so only benchmarks that ask for it (BENCH_MONGO_TIMING=1)
 * turn it on.
 */
const ops = [
  'insertMany',
  'insertOne',
  'findOne',
  'updateOne',
  'updateMany',
  'findOneAndUpdate',
  'deleteOne',
  'countDocuments',
] as const;

interface Timing {
  durations: number[];
  failed: number;
  docs: number;
}

let timings = new Map<string, Timing>();

export function timeMongoCalls(): void {
  for (const op of ops) {
    const original: unknown = Reflect.get(Collection.prototype, op);
    if (typeof original !== 'function') continue;
    Reflect.set(Collection.prototype, op, function timed(this: Collection, ...args: unknown[]) {
      const key = `${this.collectionName}.${op}`;
      const timing = timings.get(key) ?? { durations: [], failed: 0, docs: 0 };
      timings.set(key, timing);
      if (op === 'insertMany' && Array.isArray(args[0])) timing.docs += args[0].length;
      const t = performance.now();
      const result: unknown = Reflect.apply(original, this, args);
      if (!(result instanceof Promise)) return result;
      return result.then(
        (value: unknown) => {
          timing.durations.push(performance.now() - t);
          return value;
        },
        (error: unknown) => {
          timing.durations.push(performance.now() - t);
          timing.failed += 1;
          throw error;
        },
      );
    });
  }
}

/** The calls since the last reset, busiest first, one line each; then starts afresh. */
export function mongoTimingLines(): string[] {
  const lines = [...timings.entries()]
    .sort((a, b) => b[1].durations.length - a[1].durations.length)
    .map(([key, t]) => {
      const s = summarize(t.durations);
      const docs = t.docs ? `, ${t.docs} documents` : '';
      return `${key}: n=${s.n}${docs}, failed ${t.failed}, p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`;
    });
  timings = new Map();
  return lines;
}
