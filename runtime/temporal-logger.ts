import {
  DefaultLogger,
  Runtime,
  type LogEntry,
  type LogLevel as TemporalLevel,
} from '@temporalio/worker';
import type { Logger, LogLevel } from './logger';

const toTemporal: Record<LogLevel, TemporalLevel> = {
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
};
const fromTemporal: Record<TemporalLevel, LogLevel> = {
  TRACE: 'debug',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Sends the Temporal SDK's own logs (worker state, workflow and activity
 * logs) through our JSON logger, so a worker writes one log format.
 * Installed once per process, before the first worker is created.
 */
export function routeTemporalLogs(level: LogLevel, log: Logger): void {
  Runtime.install({
    logger: new DefaultLogger(toTemporal[level], (entry: LogEntry) => {
      log[fromTemporal[entry.level]](entry.message, entry.meta);
    }),
  });
}
