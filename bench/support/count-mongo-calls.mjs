/**
 * Loaded into a benchmark's worker process (`--import`, when
 * BENCH_MONGO_CALLS names a file): counts the MongoDB driver calls the
 * process makes, by collection and operation, and on SIGWINCH writes the
 * counts so far to that file (mongo-calls.ts reads them). Not SIGUSR2: the
 * Temporal runtime shuts the worker down on that one. Only the outermost
 * call is counted: the driver's `findOne` is a `find` inside. Plain
 * JavaScript because Node hands `--import` to the process's worker threads
 * too, where no TypeScript loader is registered yet; it does nothing there.
 */
import { renameSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { isMainThread } from 'node:worker_threads';
import { Collection } from 'mongodb';

const ops = [
  'find',
  'findOne',
  'insertOne',
  'insertMany',
  'updateOne',
  'updateMany',
  'replaceOne',
  'findOneAndUpdate',
  'findOneAndDelete',
  'deleteOne',
  'deleteMany',
  'bulkWrite',
  'aggregate',
  'countDocuments',
];

const file = process.env.BENCH_MONGO_CALLS;

if (file && isMainThread) {
  /** @type {Map<string, number>} */
  const counts = new Map();
  let depth = 0;
  for (const op of ops) {
    /** @type {unknown} */
    const original = Reflect.get(Collection.prototype, op);
    if (typeof original !== 'function') continue;
    Reflect.set(
      Collection.prototype,
      op,
      /** @this {Collection} @param {unknown[]} args @returns {unknown} */
      function counted(...args) {
        if (depth === 0) {
          const key = `${this.collectionName}.${op}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        depth++;
        try {
          /** @type {unknown} */
          const result = Reflect.apply(original, this, args);
          return result;
        } finally {
          depth--;
        }
      },
    );
  }
  process.on('SIGWINCH', () => {
    writeFileSync(`${file}.tmp`, JSON.stringify(Object.fromEntries(counts)));
    renameSync(`${file}.tmp`, file);
  });
}
