import type { Assignment } from '../domain/agents';
import type { Decisions } from './decide';
import { routingKeys } from './keys';

/**
 * The ledger of decisions not yet told: every script that assigns also
 * records the assignment as pending, and it stays there until the session's
 * workflow has heard it (delivery.ts tells and acknowledges).
 */
export function pendingDecisions({ redis }: Decisions) {
  return {
    /** Assignments decided but not yet acknowledged by the session's workflow. */
    async pending(tenantId: string): Promise<Assignment[]> {
      const all = await redis.hGetAll(routingKeys(tenantId).pending);
      return Object.values(all).map((json) => JSON.parse(json) as Assignment);
    },

    /** The workflow has been told: stop redelivering. */
    async acknowledge(tenantId: string, sessionId: string): Promise<void> {
      await redis.hDel(routingKeys(tenantId).pending, sessionId);
    },
  };
}
