import { createApp, type App } from '../../api/app';
import { apiConfigSchema } from '../../runtime/config';
import { createLogger, type LogLevel } from '../../runtime/logger';
import { createSessionWorker } from '../../workers/session-worker';
import type { BenchStack } from './stack';

/** The secret the benchmark's engine signs tokens with (tokens are made by the bench too). */
export const benchTokenSecret = 'bench-secret-that-is-at-least-32-characters';

export interface BenchEngine {
  app: App;
  /** Closes the API, then shuts the session worker down and waits for it. */
  stop: () => Promise<void>;
}

/**
 * The engine as production runs it — the session worker and the API with the
 * real gateway, built from the same config schema — in the benchmark's
 * process, on the bench stack. `config` adds or overrides API settings.
 */
export async function startBenchEngine(
  b: BenchStack,
  logLevel: LogLevel,
  config: Record<string, string | number> = {},
): Promise<BenchEngine> {
  const taskQueue = 'bench-sessions';
  const log = createLogger(logLevel, { process: 'bench' });
  const worker = await createSessionWorker({
    connection: b.connection,
    client: b.temporal.client,
    log,
    namespace: 'default',
    taskQueue,
    db: b.mongo.db,
    redis: b.redis,
  });
  const running = worker.run();
  const app = await createApp(
    apiConfigSchema.parse({
      PORT: 0,
      HOST: '127.0.0.1',
      TEMPORAL_ADDRESS: b.stack.urls.temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      MONGODB_URL: b.stack.urls.mongodbUrl,
      MONGODB_DATABASE: 'bench',
      REDIS_URL: b.stack.urls.redisUrl,
      TOKEN_SECRET: benchTokenSecret,
      LOG_LEVEL: logLevel,
      ...config,
    }),
    log,
  );
  return {
    app,
    async stop() {
      await app.close();
      worker.worker.shutdown();
      await running;
    },
  };
}
