import type { RoutingService } from '../../routing/service';
import type { AgentStore } from '../../stores/agents';
import type { SessionStore } from '../../stores/sessions';
import type { StaffStore } from '../../stores/staff';
import { toAgentLoad } from '../views';

/**
 * Agents' load and groups' queues now: Redis, the routing truth for "now",
 * with names from the staff accounts and the wait from the session
 * projection. The supervisor monitor (`/stats/live`) and the console's
 * transfer dialog (`/transfer-targets`) both read it.
 */
export interface LiveLoadDeps {
  agents: Pick<AgentStore, 'listAgents' | 'listGroups'>;
  staff: Pick<StaffStore, 'get'>;
  sessions: Pick<SessionStore, 'inPhases'>;
  routing: Pick<RoutingService, 'queueLength' | 'sessionsOf'>;
}

export async function agentsWithLoad(deps: LiveLoadDeps, tenantId: string) {
  const list = await deps.agents.listAgents(tenantId);
  return Promise.all(
    list.map(async (a) => {
      const [sessions, staff] = await Promise.all([
        deps.routing.sessionsOf(tenantId, a.agentId),
        deps.staff.get(tenantId, a.agentId),
      ]);
      return toAgentLoad(a, staff, sessions.length);
    }),
  );
}

/** Each group's queue length, and how long its longest-waiting session has waited at `at` (epoch ms). */
export async function groupsWithQueues(deps: LiveLoadDeps, tenantId: string, at: number) {
  const [groups, queued] = await Promise.all([
    deps.agents.listGroups(tenantId),
    deps.sessions.inPhases(tenantId, ['queued']),
  ]);
  return Promise.all(
    groups.map(async (g) => {
      const waiting = queued.filter((s) => s.groupId === g.groupId && s.enqueuedAt);
      const oldest = Math.min(...waiting.map((s) => s.enqueuedAt ?? at));
      return {
        groupId: g.groupId,
        queueLength: await deps.routing.queueLength(tenantId, g.groupId),
        longestWaitMs: waiting.length ? Math.max(0, at - oldest) : 0,
      };
    }),
  );
}
