import type { PresenceSettings } from '../../domain/presence';
import type { TenantStore } from '../../stores/tenants';

/**
 * Presence for routing tests that set agents online with no console socket
 * (the routing core's own tests): manual, so a status is all it takes. A
 * tenant following connections would never assign to such an agent.
 */
export const manualPresence: PresenceSettings = { mode: 'manual', disconnectGraceSeconds: 60 };

/** The tenant settings a routing service reads, for tests whose tenants have no document. */
export const manualPresenceTenants: Pick<TenantStore, 'presence' | 'setPresence'> = {
  presence: () => Promise.resolve(manualPresence),
  setPresence: () => Promise.resolve(),
};
