import type { Db } from 'mongodb';
import { refreshAllDirty } from '../reports/rollups';
import type { Logger } from '../runtime/logger';
import { startPeriodicRounds } from './periodic-rounds';

/**
 * Keeps the report rollups close behind their facts: a round refreshes the
 * days facts have marked dirty since (reports/rollups.ts). Reports refresh
 * their own range before reading, so this only keeps that work small; every
 * worker may run it, and two refreshing one day write the same rollups.
 */
export function startReportRollups(options: { db: Db; log: Logger; intervalMs: number }): {
  stop: () => Promise<void>;
} {
  return startPeriodicRounds({
    name: 'report rollups',
    intervalMs: options.intervalMs,
    log: options.log,
    round: () => refreshAllDirty(options.db),
  });
}
