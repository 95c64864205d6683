import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';

/**
 * Workers in tests log only warnings, so jest's output stays readable. The
 * runtime is per process and can be installed once; a second install (another
 * suite in the same jest worker) keeps the first one.
 */
export function quietTemporalRuntime(): void {
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN'),
      telemetryOptions: {
        logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} },
      },
    });
  } catch {
    // Already installed in this process: nothing to do.
  }
}
