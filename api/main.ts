import { apiConfigSchema, ConfigError, parseConfig } from '../runtime/config';
import { loadDotEnv } from '../runtime/env-file';
import { createLogger, describeError } from '../runtime/logger';
import { createApp } from './app';

/** `npm run api`: one API/gateway process against the servers named by env. */
async function main(): Promise<void> {
  loadDotEnv();
  const config = parseConfig(apiConfigSchema, process.env);
  const log = createLogger(config.LOG_LEVEL, { process: 'api' });
  const app = await createApp(config, log);
  log.info('api ready', { url: app.url });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('api stopping', { signal });
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('api did not close cleanly', { error: describeError(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    error instanceof ConfigError ? `${error.message}\n` : `api failed: ${describeError(error)}\n`,
  );
  process.exit(1);
});
