import type { Logger } from '../runtime/logger';
import type { RoutingService } from '../routing/service';
import type { TenantStore } from '../stores/tenants';

export interface RoutingUpkeepOptions {
  routing: RoutingService;
  tenants: TenantStore;
  log: Logger;
  /** How often a round runs. */
  intervalMs: number;
  /** A decision younger than this is still being told by its maker. */
  redeliverAfterMs: number;
}

/**
 * The worker's background rounds over every tenant: retell routing
 * decisions whose maker died before telling the session, rebuild a
 * tenant's Redis state from MongoDB once Redis lost it, and give back the
 * seats a rebuild took for sessions that left them while it ran. Each worker
 * runs them; all are safe to run concurrently (restore is one script guarded
 * by the tenant's epoch key; a retold decision is ignored by a session that
 * has it; a seat is released only once).
 */
export function startRoutingUpkeep(options: RoutingUpkeepOptions): { stop: () => Promise<void> } {
  const { routing, tenants, log } = options;
  let stopped = false;
  let current: Promise<void> = Promise.resolve();

  const round = async () => {
    for (const tenantId of await tenants.ids()) {
      if (stopped) return;
      const healed = await routing.heal(tenantId);
      if (healed === 'rebuilt') log.warn('routing state rebuilt from MongoDB', { tenantId });
      // A heal that restored has just settled; otherwise seats in doubt are checked again.
      if (healed === 'intact') await routing.settleRestoredSeats(tenantId);
      const { delivered, failed } = await routing.redeliver(tenantId, options.redeliverAfterMs);
      if (delivered.length)
        log.info('routing decisions retold', { tenantId, count: delivered.length });
      for (const { assignment, error } of failed) {
        log.warn('routing decision not told yet', {
          tenantId,
          sessionId: assignment.sessionId,
          error: String(error),
        });
      }
    }
  };

  const timer = setInterval(() => {
    current = current.then(round).catch((error: unknown) => {
      log.warn('routing upkeep round failed', { error: String(error) });
    });
  }, options.intervalMs);

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}
