import { log } from '@temporalio/activity';
import { recordSessionEvent } from '../events/session-events';
import type { ActivityDeps } from './deps';
import { postWorkflowMessage, type Notice } from './workflow-message';

/** What the workflow decided when the agent stayed silent (workflows/session/silent-agent.ts). */
export interface AgentSilence {
  tenantId: string;
  sessionId: string;
  agentId: string;
  /** The silence's deadline: the workflow's time, so a retry records the same fact. */
  at: string;
  /** When the agent's silence began: the assignment or the shopper's latest message. */
  since: string;
  action: 'reoffer' | 'alert';
  afterMinutes: number;
  /** The notice the shopper gets, once per silence (its purpose is stable across retries). */
  notice: Notice;
}

/** The flow's `silentAgent` rule: the fact recorded, the shopper told, the supervisors alerted. */
export const silentAgentActivities = (deps: ActivityDeps) => ({
  /**
   * One step: the `session.agent_silent` event (keyed by the deadline, so a
   * retry records it once) for the feed, webhooks and reports, then the
   * shopper's notice (stored once by its purpose), then the supervisors'
   * alert, which only notifies. A re-offer moves the seat afterwards, in the
   * workflow's transfer step.
   */
  async recordAgentSilent(silence: AgentSilence): Promise<void> {
    const { tenantId, sessionId, agentId, at, since, action, afterMinutes } = silence;
    log.warn('agent silent', { event: 'agent_silent', tenantId, sessionId, agentId, action });
    await recordSessionEvent(deps, {
      tenantId,
      sessionId,
      type: 'session.agent_silent',
      occurrence: at,
      extra: { silence: { agentId, since, at, afterMinutes, action } },
    });
    await postWorkflowMessage(deps, { tenantId, sessionId, ...silence.notice });
    deps.broadcaster.agentSilent(tenantId, { sessionId, agentId, at, action });
  },
});
