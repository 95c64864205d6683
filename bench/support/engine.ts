import { join } from 'node:path';
import { createApp, type App } from '../../api/app';
import { apiConfigSchema } from '../../runtime/config';
import { createLogger, type LogLevel } from '../../runtime/logger';
import { packageRoot } from '../../runtime/package-root';
import { startProcess } from '../../scripts/stack/process';
import type { BenchStack } from './stack';

/** The secret the benchmark's engine signs tokens with (tokens are made by the bench too). */
export const benchTokenSecret = 'bench-secret-that-is-at-least-32-characters';

export interface BenchEngine {
  app: App;
  /** Closes the API, then stops the worker process and waits for it. */
  stop: () => Promise<void>;
}

/**
 * The engine as production runs it: the session worker as a process of its
 * own (`npm run worker`, its log in the run's folder) and the API with the
 * real gateway, built from the same config schema, in the benchmark's
 * process beside the clients. Two processes as in a deployment, so neither
 * pays for the other's hooks (the worker's activity context tracks every
 * promise of its process). `config` adds or overrides API settings.
 */
export async function startBenchEngine(
  b: BenchStack,
  logLevel: LogLevel,
  config: Record<string, string | number> = {},
): Promise<BenchEngine> {
  const servers = {
    TEMPORAL_ADDRESS: b.stack.urls.temporalAddress,
    TEMPORAL_TASK_QUEUE: 'bench-sessions',
    MONGODB_URL: b.stack.urls.mongodbUrl,
    MONGODB_DATABASE: 'bench',
    REDIS_URL: b.stack.urls.redisUrl,
  };
  const root = packageRoot();
  const worker = await startProcess({
    name: 'worker',
    command: process.execPath,
    args: ['--import', 'tsx', join(root, 'workers', 'main.ts')],
    // Info level: its readiness is a log line; the worker is quiet at info otherwise.
    env: { ...process.env, ...servers, LOG_LEVEL: 'info' },
    cwd: root,
    logFile: join(b.dataDir, 'logs', 'worker.log'),
    ready: (output) => Promise.resolve(output.includes('"worker ready"')),
    readyTimeoutMs: 120_000,
  });
  const app = await createApp(
    apiConfigSchema.parse({
      PORT: 0,
      HOST: '127.0.0.1',
      ...servers,
      TOKEN_SECRET: benchTokenSecret,
      LOG_LEVEL: logLevel,
      ...config,
    }),
    createLogger(logLevel, { process: 'bench' }),
  );
  return {
    app,
    async stop() {
      await app.close();
      await worker.stop(30_000);
    },
  };
}
