import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * BENCH_MONGO_CALLS=1: the benchmark's worker counts its MongoDB driver
 * calls (support/count-mongo-calls.mjs), and a row can print them per
 * workflow. The counts file lives in the run's folder.
 */
export const mongoCallsWanted = process.env.BENCH_MONGO_CALLS === '1';

export const mongoCallsFile = (dataDir: string) => join(dataDir, 'worker-mongo-calls.json');

const countsSchema = z.record(z.string(), z.number());

/** The worker's counts so far: asked by SIGWINCH, read once written. */
export async function readMongoCalls(pid: number, file: string): Promise<Map<string, number>> {
  rmSync(file, { force: true });
  process.kill(pid, 'SIGWINCH');
  for (let waited = 0; !existsSync(file); waited += 20) {
    if (waited > 10_000) throw new Error(`the worker wrote no MongoDB call counts to ${file}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return new Map(Object.entries(countsSchema.parse(JSON.parse(readFileSync(file, 'utf8')))));
}

/** The calls made between two readings, per workflow, most first. */
export function mongoCallsPer(
  before: Map<string, number>,
  after: Map<string, number>,
  workflows: number,
): string {
  const rows = [...after.entries()]
    .map(([key, n]) => [key, (n - (before.get(key) ?? 0)) / workflows] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, n]) => sum + n, 0);
  return `${total.toFixed(1)} (${rows.map(([key, n]) => `${key} ${n.toFixed(1)}`).join(', ')})`;
}
