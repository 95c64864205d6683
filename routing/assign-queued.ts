import { z } from 'zod';
import type { Assignment } from '../domain/agents';
import { opaqueId } from '../domain/session';
import { check, type Decisions } from './decide';
import { routingKeys } from './keys';

export interface AssignQueuedRequest {
  sessionId: string;
  agentId: string;
  /** Past the agent's presence (away) and capacity; never to an offline agent. */
  force: boolean;
}

/**
 * A supervisor's hand on the queue: a waiting session goes to the agent the
 * supervisor chose, in one atomic step (scripts.ts `assignQueuedScript`).
 * The agent may be of any group of the tenant (a supervisor lends agents
 * across groups). Unforced, they must be online with room, as the router
 * would require; forced, any agent who is not offline takes it, away or
 * beyond capacity (the supervisor knows something the router does not, e.g.
 * a specialist for this shopper). An offline agent never does: nobody would
 * see the chat.
 */
export function assignQueuedDecisions({ decide, scripts }: Decisions) {
  return {
    async assignQueued(tenantId: string, request: AssignQueuedRequest): Promise<Assignment[]> {
      const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
      check(opaqueId, request.sessionId, 'sessionId');
      check(opaqueId, request.agentId, 'agentId');
      check(z.boolean(), request.force, 'force');
      return decide(scripts.assignQueued, keys.assignment, [
        keys.prefix,
        request.sessionId,
        request.agentId,
        request.force ? '1' : '0',
      ]);
    },
  };
}
