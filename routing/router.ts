import type { RedisClient } from '../runtime/connections';
import { assignQueuedDecisions } from './assign-queued';
import { connectionDecisions } from './connections';
import { createDecisions } from './decide';
import { groupDecisions } from './groups';
import { offerDecisions } from './offer';
import { pendingDecisions } from './pending';
import { presenceDecisions } from './presence';
import { queueDecisions } from './queue';
import { repairDecisions } from './repair';
import { seatDecisions } from './seats';
import { transferDecisions } from './transfer';

/**
 * The routing core on Redis: presence, capacity, queues and assignment, one
 * file per behaviour (each the typed door to its Lua scripts in scripts.ts).
 * Only the routing service (service.ts) holds it; the rest of the engine asks
 * the service. Inputs are validated before any script runs, so a bad call
 * changes nothing.
 */
export function createRouter(
  redis: RedisClient,
  now: () => number = Date.now,
  /** Names the nodes that share one database (routing/keys.ts#presenceSweepKeys). */
  deployment = 'default',
) {
  const decisions = createDecisions(redis, now);
  return {
    ...presenceDecisions(decisions),
    ...connectionDecisions(decisions, deployment),
    ...groupDecisions(decisions),
    ...queueDecisions(decisions),
    ...offerDecisions(decisions),
    ...transferDecisions(decisions),
    ...seatDecisions(decisions),
    ...pendingDecisions(decisions),
    ...repairDecisions(decisions),
    ...assignQueuedDecisions(decisions),
  };
}

export type Router = ReturnType<typeof createRouter>;

// The router's refusal and its snapshot shape, for callers that hold the router itself.
export { RoutingInputError } from './decide';
export type { RoutingSnapshot } from './repair';
