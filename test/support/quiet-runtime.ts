import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { temporalMetrics } from '../../runtime/temporal-logger';

/**
 * Workers in tests log only warnings, so jest's output stays readable. The
 * runtime is per process and can be installed once; a second install (another
 * suite in the same jest worker) keeps the first one. With
 * `metricsBindAddress`, the SDK exports its worker metrics there (the first
 * install must ask for it).
 */
export function quietTemporalRuntime(metricsBindAddress?: string): void {
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN'),
      telemetryOptions: {
        logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} },
        ...(metricsBindAddress === undefined
          ? {}
          : { metrics: temporalMetrics(metricsBindAddress) }),
      },
    });
  } catch {
    // Already installed in this process: nothing to do.
  }
}
