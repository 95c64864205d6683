import { RoutingInputError } from '../routing/decide';
import type { ActivityDeps } from './deps';

/** The offer phase: the reserved agent accepts, declines or misses the offer. */
export const offerActivities = (deps: ActivityDeps) => ({
  async acceptOffer(tenantId: string, agentId: string, sessionId: string): Promise<boolean> {
    return deps.routing.accept(tenantId, agentId, sessionId);
  },

  async declineOffer(tenantId: string, agentId: string, sessionId: string, awayAfterMiss: boolean) {
    try {
      await deps.routing.decline(tenantId, agentId, sessionId, awayAfterMiss);
    } catch (error) {
      // Already withdrawn (e.g. redelivered after a retry): nothing to give back.
      if (!(error instanceof RoutingInputError)) throw error;
    }
  },
});
