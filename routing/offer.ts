import type { Assignment } from '../domain/agents';
import { opaqueId } from '../domain/session';
import { check, type Decisions } from './decide';
import { routingKeys } from './keys';

/** A reservation: the agent offered a session takes it, or lets it go to the next. */
export function offerDecisions({ redis, scripts, decide }: Decisions) {
  return {
    /** The agent takes the session offered to it. False if it was not offered to this agent (any more). */
    async accept(tenantId: string, agentId: string, sessionId: string): Promise<boolean> {
      const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
      check(opaqueId, agentId, 'agentId');
      check(opaqueId, sessionId, 'sessionId');
      return (await scripts.accept(redis, keys.offers, [keys.prefix, agentId, sessionId])) === 1;
    },

    /**
     * The agent rejected the offer or let it time out: the session goes to the
     * next agent (first in the result) or back to its place in the queue.
     */
    async decline(
      tenantId: string,
      agentId: string,
      sessionId: string,
      options: { awayAfterMiss: boolean },
    ): Promise<Assignment[]> {
      const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
      check(opaqueId, agentId, 'agentId');
      check(opaqueId, sessionId, 'sessionId');
      const away = options.awayAfterMiss ? '1' : '0';
      return decide(scripts.decline, keys.offers, [keys.prefix, agentId, sessionId, away]);
    },
  };
}
