import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createLogger } from '../../runtime/logger';
import { routeTemporalLogs } from '../../runtime/temporal-logger';
import { freePort } from '../../scripts/stack/ports';
import { startEmbeddedStack, type Stack } from '../../scripts/stack/embedded';
import {
  closeRedis,
  connectMongo,
  connectRedis,
  connectTemporal,
  type MongoHandle,
  type RedisClient,
  type TemporalHandle,
} from '../../runtime/connections';

/**
 * The embedded stack for a benchmark run: fresh servers on free ports in a
 * throw-away folder, not persisted, with clients connected, plus a worker for
 * the benchmark's own baseline workflows on a task queue of their own.
 */
export interface BenchStack {
  stack: Stack;
  /** The run's throw-away folder (server logs are under `logs/`). */
  dataDir: string;
  mongo: MongoHandle;
  redis: RedisClient;
  temporal: TemporalHandle;
  connection: NativeConnection;
  baselineQueue: string;
  stop: () => Promise<void>;
}

export async function startBenchStack(): Promise<BenchStack> {
  // Only problems from the SDK: its per-worker info lines would bury the results.
  routeTemporalLogs('warn', createLogger('warn', { process: 'bench' }));
  const dataDir = await mkdtemp(join(tmpdir(), 'reception-bench-'));
  const stack = await startEmbeddedStack({
    dataDir,
    persistent: false,
    ports: { temporal: await freePort(), mongodb: await freePort(), redis: await freePort() },
  });
  const mongo = await connectMongo(stack.urls.mongodbUrl, 'bench');
  const redis = await connectRedis(stack.urls.redisUrl, (error) => {
    throw error;
  });
  const temporal = await connectTemporal(stack.urls.temporalAddress, 'default');
  const connection = await NativeConnection.connect({ address: stack.urls.temporalAddress });
  const baselineQueue = 'bench-baseline';
  const baseline = await Worker.create({
    connection,
    taskQueue: baselineQueue,
    workflowsPath: require.resolve('../workflows'),
  });
  const baselineRun = baseline.run();
  return {
    stack,
    dataDir,
    mongo,
    redis,
    temporal,
    connection,
    baselineQueue,
    async stop() {
      baseline.shutdown();
      await baselineRun;
      await temporal.connection.close();
      await connection.close();
      await mongo.client.close();
      await closeRedis(redis);
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
