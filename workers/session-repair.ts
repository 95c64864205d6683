import type { Client } from '@temporalio/client';
import type { createActivities } from '../activities';
import { sessionOfWorkflowId } from '../domain/session';
import { heldPhases } from '../stores/sessions';
import type { SessionStore } from '../stores/sessions';
import type { Logger } from '../runtime/logger';
import { sessionWorkflowType } from '../workflows/contract';
import { startPeriodicRounds } from './periodic-rounds';

/**
 * Repair after a session workflow ended without closing its session: an
 * operator terminated it from the Temporal Web UI (the documented repair
 * tool), or it failed or timed out. Nothing of the workflow runs any more,
 * so nobody would free its agent's seat, take it out of its queue, or close
 * its stored copy: each round lists the session workflows that ended that
 * way recently (Temporal visibility) and does what the workflow's close
 * would have done, with reason `terminated`. Idempotent, so every worker
 * runs it and rounds may overlap.
 */

type Activities = Pick<
  ReturnType<typeof createActivities>,
  | 'cancelQueued'
  | 'releaseSeat'
  | 'postWorkflowMessage'
  | 'recordSessionClosed'
  | 'loadFlowSnapshot'
>;

export interface SessionRepairOptions {
  client: Client;
  /** Only this worker's sessions: another deployment may share the namespace. */
  taskQueue: string;
  sessions: SessionStore;
  activities: Activities;
  log: Logger;
  /** How often a round runs. */
  intervalMs: number;
  /** How far back a round looks; a worker down longer than this misses nothing it ran before. */
  lookbackMs: number;
}

const endedAbnormally = ['Terminated', 'Failed', 'TimedOut', 'Canceled']
  .map((status) => `ExecutionStatus = '${status}'`)
  .join(' OR ');

/**
 * Closes the session of a workflow that is no longer running: returns true
 * when it had to (the stored copy was still open).
 */
export async function closeAfterWorkflowEnded(
  options: Pick<SessionRepairOptions, 'client' | 'sessions' | 'activities'>,
  workflowId: string,
): Promise<boolean> {
  const ids = sessionOfWorkflowId(workflowId);
  if (!ids) return false;
  const { tenantId, sessionId } = ids;
  const doc = await options.sessions.get(tenantId, sessionId);
  if (!doc || doc.phase === 'closed' || doc.phase === 'rated') return false;
  // A reset from the Web UI terminates a run and goes on in a new one: only
  // a workflow whose latest run is over is repaired.
  const latest = await options.client.workflow.getHandle(workflowId).describe();
  if (latest.status.name === 'RUNNING') return false;
  const { activities } = options;
  if (doc.phase === 'queued') await activities.cancelQueued(tenantId, sessionId);
  if (doc.agentId && heldPhases.includes(doc.phase)) {
    await activities.releaseSeat(tenantId, doc.agentId, sessionId);
  }
  const flow = await activities.loadFlowSnapshot(tenantId);
  await activities.postWorkflowMessage({
    tenantId,
    sessionId,
    purpose: 'closed',
    text: flow.templates.closed,
    sender: 'system',
  });
  await activities.recordSessionClosed(
    { tenantId, sessionId, visitor: { id: doc.visitorId } },
    new Date().toISOString(),
    'terminated',
  );
  return true;
}

/** One round: every session workflow that ended abnormally within the lookback. */
export async function repairEndedSessions(
  options: Omit<SessionRepairOptions, 'intervalMs'>,
): Promise<string[]> {
  const since = new Date(Date.now() - options.lookbackMs).toISOString();
  const query =
    `WorkflowType = '${sessionWorkflowType}' AND TaskQueue = '${options.taskQueue}'` +
    ` AND (${endedAbnormally}) AND CloseTime > '${since}'`;
  const repaired: string[] = [];
  for await (const execution of options.client.workflow.list({ query })) {
    try {
      if (await closeAfterWorkflowEnded(options, execution.workflowId)) {
        repaired.push(execution.workflowId);
        options.log.warn('closed the session of a workflow that ended without closing it', {
          workflowId: execution.workflowId,
          status: execution.status.name,
        });
      }
    } catch (error) {
      options.log.warn('could not repair an ended session; the next round retries', {
        workflowId: execution.workflowId,
        error: String(error),
      });
    }
  }
  return repaired;
}

export function startSessionRepair(options: SessionRepairOptions): { stop: () => Promise<void> } {
  return startPeriodicRounds({
    name: 'session repair',
    intervalMs: options.intervalMs,
    log: options.log,
    round: () => repairEndedSessions(options),
  });
}
