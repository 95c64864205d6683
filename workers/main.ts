import { NativeConnection } from '@temporalio/worker';
import { ConfigError, emailConfigOf, eventConfigOf, parseWorkerConfig } from '../runtime/config';
import { closeRedis, connectMongo, connectRedis, connectTemporal } from '../runtime/connections';
import { loadDotEnv } from '../runtime/env-file';
import { createLogger, describeError } from '../runtime/logger';
import { createMetrics } from '../runtime/metrics';
import { sdkMetricsUrl, serveMetrics, type MetricsServer } from '../runtime/metrics-server';
import { routeTemporalLogs } from '../runtime/temporal-logger';
import { createSessionWorker } from './session-worker';

/** `npm run worker`: one worker process against the servers named by env. */
async function main(): Promise<void> {
  loadDotEnv();
  const config = parseWorkerConfig(process.env);
  const log = createLogger(config.LOG_LEVEL, { process: 'worker' });
  routeTemporalLogs(config.LOG_LEVEL, log, {
    metricsBindAddress: config.TEMPORAL_METRICS_ADDRESS,
  });
  const metrics = createMetrics('worker');

  const mongo = await connectMongo(config.MONGODB_URL, config.MONGODB_DATABASE);
  const redis = await connectRedis(
    config.REDIS_URL,
    (error) => log.warn('redis unreachable; retrying', { error: error.message }),
    () => log.info('redis reachable again'),
  );
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = await connectTemporal(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  const { run } = await createSessionWorker({
    connection,
    client: temporal.client,
    log,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    db: mongo.db,
    redis,
    events: eventConfigOf(config),
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    metrics,
    email: emailConfigOf(config),
    tokenSecret: config.TOKEN_SECRET,
    reports: config.REPORT_FACTS,
  });
  let metricsServer: MetricsServer | undefined;
  if (config.WORKER_METRICS_PORT !== undefined) {
    metricsServer = await serveMetrics({
      registry: metrics.registry,
      port: config.WORKER_METRICS_PORT,
      host: '0.0.0.0',
      ...(config.TEMPORAL_METRICS_ADDRESS === undefined
        ? {}
        : { sdkMetricsUrl: sdkMetricsUrl(config.TEMPORAL_METRICS_ADDRESS) }),
    });
  }
  log.info('worker ready', {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    namespace: config.TEMPORAL_NAMESPACE,
    ...(metricsServer ? { metricsPort: metricsServer.port } : {}),
  });
  // Runs until SIGINT/SIGTERM, which the Temporal runtime turns into a graceful shutdown.
  await run();
  await metricsServer?.close();
  await connection.close();
  await temporal.connection.close();
  await mongo.client.close();
  await closeRedis(redis);
  log.info('worker stopped');
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`worker failed: ${describeError(error)}\n`);
  }
  process.exit(1);
});
