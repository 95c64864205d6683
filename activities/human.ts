import { log } from '@temporalio/activity';
import type { ActivityDeps } from './deps';

/** The human phase: the agent's turns as the transcript records them, and the first-response SLA. */
export const humanActivities = (deps: ActivityDeps) => ({
  /** The latest shopper and agent activity, as the session's last message records it (epoch ms). */
  lastActivity(tenantId: string, sessionId: string) {
    return deps.messages.lastActivity(tenantId, sessionId);
  },

  /** An event for supervisors: the agent has not answered within the flow's SLA. */
  async recordSlaBreach(tenantId: string, sessionId: string, agentId: string, at: string) {
    log.warn('first-response SLA breached', {
      event: 'sla_breached',
      tenantId,
      sessionId,
      agentId,
    });
    await deps.sessions.project(tenantId, sessionId, { slaBreachedAt: new Date(at) });
    deps.broadcaster.slaBreached(tenantId, { sessionId, agentId, at });
  },
});
