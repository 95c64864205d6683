import {
  DefaultLogger,
  Runtime,
  type LogEntry,
  type LogLevel as TemporalLevel,
  type MetricsExporterConfig,
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
 * The SDK's Prometheus exporter, on `bindAddress` (its `/metrics`), under
 * the SDK's own names (`temporal_…`, as Temporal's documentation lists them),
 * durations in seconds as Prometheus has them.
 */
export const temporalMetrics = (bindAddress: string): MetricsExporterConfig => ({
  prometheus: { bindAddress, useSecondsForDurations: true },
});

/**
 * Sends the Temporal SDK's own logs (worker state, workflow and activity
 * logs) through our JSON logger, so a worker writes one log format; with
 * `metricsBindAddress`, the SDK also exports its worker metrics (task
 * latencies, slots, sticky cache, polls) in Prometheus format there.
 * Installed once per process, before the first worker is created.
 */
export function routeTemporalLogs(
  level: LogLevel,
  log: Logger,
  telemetry: { metricsBindAddress?: string } = {},
): void {
  Runtime.install({
    logger: new DefaultLogger(toTemporal[level], (entry: LogEntry) => {
      log[fromTemporal[entry.level]](entry.message, entry.meta);
    }),
    ...(telemetry.metricsBindAddress === undefined
      ? {}
      : { telemetryOptions: { metrics: temporalMetrics(telemetry.metricsBindAddress) } }),
  });
}
