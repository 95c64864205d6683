import type { Db } from 'mongodb';
import type { Logger } from '../runtime/logger';
import { removeExpired } from '../stores/retention';
import type { TenantStore } from '../stores/tenants';
import { startPeriodicRounds } from './periodic-rounds';

const dayMs = 24 * 3600_000;

export interface RetentionOptions {
  db: Db;
  tenants: Pick<TenantStore, 'withRetention'>;
  log: Logger;
  /** How often a round runs. */
  intervalMs: number;
}

/**
 * One retention round over every tenant that set a period: what ended more
 * than `retentionDays` before `now` is removed (stores/retention.ts). A
 * tenant whose round fails is retried next round; the others go on.
 */
export async function applyRetention(
  options: Omit<RetentionOptions, 'intervalMs'>,
  now: Date = new Date(),
): Promise<void> {
  for (const { tenantId, retentionDays } of await options.tenants.withRetention()) {
    try {
      const removed = await removeExpired(
        options.db,
        tenantId,
        new Date(now.getTime() - retentionDays * dayMs),
      );
      if (removed.sessions || removed.tickets || removed.outreach) {
        options.log.info('retention removed expired data', { tenantId, retentionDays, ...removed });
      }
    } catch (error) {
      options.log.warn('retention round failed for a tenant; the next round retries', {
        tenantId,
        error: String(error),
      });
    }
  }
}

/**
 * The worker's retention job: a round every `intervalMs`. Every worker runs
 * it; rounds on several workers at once only race to delete the same
 * documents, which is harmless.
 */
export function startRetention(options: RetentionOptions): { stop: () => Promise<void> } {
  return startPeriodicRounds({
    name: 'retention',
    intervalMs: options.intervalMs,
    log: options.log,
    round: () => applyRetention(options),
  });
}
