import { z } from 'zod';
import {
  agentRoutingSchema,
  agentStatuses,
  type AgentRouting,
  type AgentStatus,
  type Assignment,
} from '../domain/agents';
import { opaqueId } from '../domain/session';
import { check, refusal, type Decisions } from './decide';
import { routingKeys } from './keys';

/** An agent's place in routing: capacity and groups, status, removal. */
export function presenceDecisions({ redis, scripts, decide }: Decisions) {
  return {
    /** Creates or changes an agent's capacity and groups; returns sessions assigned because room appeared. */
    async upsertAgent(tenantId: string, agent: AgentRouting): Promise<Assignment[]> {
      const { agentId, capacity, groups } = check(agentRoutingSchema, agent, 'agent');
      const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
      return decide(scripts.upsertAgent, keys.agent(agentId), [
        keys.prefix,
        agentId,
        String(capacity),
        groups.join(','),
      ]);
    },

    async setStatus(tenantId: string, agentId: string, status: AgentStatus): Promise<Assignment[]> {
      const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
      check(opaqueId, agentId, 'agentId');
      check(z.enum(agentStatuses), status, 'status');
      return decide(scripts.setStatus, keys.agent(agentId), [keys.prefix, agentId, status]);
    },

    /** Takes a deleted agent out of routing; refused while it holds a seat. */
    async removeAgent(tenantId: string, agentId: string): Promise<void> {
      const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
      check(opaqueId, agentId, 'agentId');
      try {
        await scripts.removeAgent(redis, keys.agent(agentId), [keys.prefix, agentId]);
      } catch (error) {
        throw refusal(error);
      }
    },
  };
}
