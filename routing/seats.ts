import type { Assignment } from '../domain/agents';
import { opaqueId } from '../domain/session';
import { check, type Decisions } from './decide';
import { routingKeys } from './keys';

/** The seats an agent holds: freeing one, and reading who holds what. */
export function seatDecisions({ redis, scripts, decide }: Decisions) {
  return {
    /** The session left the agent; returns sessions assigned to the freed seat. */
    async release(tenantId: string, agentId: string, sessionId: string): Promise<Assignment[]> {
      const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
      check(opaqueId, agentId, 'agentId');
      check(opaqueId, sessionId, 'sessionId');
      return decide(scripts.release, keys.agent(agentId), [keys.prefix, agentId, sessionId]);
    },

    /**
     * Frees a restored seat of a session that went back to the queue while
     * the state was lost (see releaseStrandedScript); refused while a
     * decision for the session is in flight.
     */
    async releaseStranded(
      tenantId: string,
      agentId: string,
      sessionId: string,
    ): Promise<Assignment[]> {
      const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
      check(opaqueId, agentId, 'agentId');
      check(opaqueId, sessionId, 'sessionId');
      return decide(scripts.releaseStranded, keys.agent(agentId), [
        keys.prefix,
        agentId,
        sessionId,
      ]);
    },

    /** The agent's open sessions (its load is their number). */
    async sessionsOf(tenantId: string, agentId: string): Promise<string[]> {
      return redis.sMembers(routingKeys(tenantId).agentSessions(agentId));
    },
  };
}
