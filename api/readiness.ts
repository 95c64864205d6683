import type { Connection } from '@temporalio/client';
import type { Db } from 'mongodb';
import type { RedisClient } from '../runtime/connections';
import { describeError } from '../runtime/logger';

export type Dependency = 'temporal' | 'mongodb' | 'redis';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<Dependency, { ok: true } | { ok: false; error: string }>;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (
        clearTimeout(timer),
        reject(error instanceof Error ? error : new Error(String(error)))
      ),
    );
  });
}

/** Asks each server a cheap question, in parallel, each with its own deadline. */
export function readinessCheck(
  deps: { temporal: Connection; db: Db; redis: RedisClient },
  timeoutMs: number,
) {
  const probes: Record<Dependency, () => Promise<unknown>> = {
    temporal: () => deps.temporal.workflowService.getSystemInfo({}),
    mongodb: () => deps.db.command({ ping: 1 }),
    redis: async () => {
      // A disconnected client would queue the PING until the server is back.
      if (!deps.redis.isReady) throw new Error('not connected');
      return deps.redis.ping();
    },
  };
  return async (): Promise<ReadinessReport> => {
    const names = Object.keys(probes) as Dependency[];
    const results = await Promise.allSettled(
      names.map((name) => withTimeout(probes[name](), timeoutMs)),
    );
    const checks = {} as ReadinessReport['checks'];
    names.forEach((name, i) => {
      const result = results[i];
      checks[name] =
        result?.status === 'fulfilled'
          ? { ok: true }
          : { ok: false, error: describeError(result?.reason) };
    });
    return { ready: Object.values(checks).every((check) => check.ok), checks };
  };
}
