import { log } from '@temporalio/activity';
import { fillTemplate, type FlowSnapshot } from '../domain/flow';
import { isOpen } from '../domain/working-hours';
import type { EnqueueRequest } from '../routing/queue';
import type { ActivityDeps } from './deps';
import { recordSessionEvent } from '../events/session-events';
import { queuedOccurrence } from './events';
import type { TransitionRef } from './transition';
import { postWorkflowMessage } from './workflow-message';

export type EnqueueOutcome =
  | { status: 'assigned'; agentId: string }
  | { status: 'queued'; position: number }
  | { status: 'full'; length: number }
  | { status: 'no_group' };

export type QueueStatus = { position: number; estimatedWaitMs?: number } | null;

/** A hand-over's one step: what the workflow knows, and the notices it may post. */
export interface HandOver {
  transition: TransitionRef;
  tenantId: string;
  sessionId: string;
  visitorId: string;
  groupId: string;
  priority: number;
  enqueuedAt: number;
  maxLength: number;
  stickyWindowMs: number;
  templates: Pick<FlowSnapshot['templates'], 'handover' | 'offHours' | 'queued' | 'queuedWithWait'>;
  /** The purposes (message ids) of the notices, decided by the workflow's post count. */
  purposes: { handover: string; offHours: string; position: string };
}

export type HandOverOutcome =
  { open: false } | { open: true; outcome: EnqueueOutcome; status: QueueStatus; noticed: boolean };

/** Whether the group (or the tenant's default schedule) is within working hours now. */
async function withinWorkingHours(deps: ActivityDeps, tenantId: string, groupId: string) {
  const schedule = await deps.hours.forGroup(tenantId, groupId, 'reception');
  return schedule === undefined || isOpen(schedule, new Date());
}

/** The shopper's agent of a session closed within `windowMs`, for sticky routing. */
async function previousAgent(
  deps: ActivityDeps,
  tenantId: string,
  visitorId: string,
  windowMs: number,
) {
  if (windowMs <= 0) return undefined;
  return deps.sessions.previousAgent(tenantId, visitorId, new Date(Date.now() - windowMs));
}

async function queueStatus(deps: ActivityDeps, tenantId: string, sessionId: string) {
  return (await deps.routing.queuePosition(tenantId, sessionId)) ?? null;
}

/** The shopper's place in the queue (and the expected wait), as the flow words it. */
export function positionText(
  templates: Pick<FlowSnapshot['templates'], 'queued' | 'queuedWithWait'>,
  status: { position: number; estimatedWaitMs?: number },
): string {
  return status.estimatedWaitMs === undefined
    ? fillTemplate(templates.queued, { position: status.position })
    : fillTemplate(templates.queuedWithWait, {
        position: status.position,
        wait: Math.max(1, Math.round(status.estimatedWaitMs / 60_000)),
      });
}

/**
 * Puts the session in the group's queue (or straight to an agent). The
 * projection is written first, so a Redis loss right after is healed from
 * it. A queue already `maxLength` long refuses the session ('full'): the
 * enqueue script checks the length as it places the session, so concurrent
 * arrivals cannot overfill it; the projection then goes back to what it was.
 * Safe to repeat: the script answers a session already queued or assigned
 * with where it is, and places nothing again.
 */
async function enqueue(
  deps: ActivityDeps,
  request: EnqueueRequest & { tenantId: string; maxLength: number },
): Promise<EnqueueOutcome> {
  const { tenantId, maxLength, ...entry } = request;
  if (!(await deps.routing.groupExists(tenantId, entry.groupId))) {
    log.warn('session routed to a group that does not exist', {
      tenantId,
      groupId: entry.groupId,
    });
    return { status: 'no_group' };
  }
  const before = await deps.sessions.get(tenantId, entry.sessionId);
  const written = await deps.sessions.project(tenantId, entry.sessionId, {
    phase: 'queued',
    groupId: entry.groupId,
    priority: entry.priority,
    enqueuedAt: entry.enqueuedAt,
  });
  const outcome = await deps.routing.enqueue(tenantId, entry, maxLength);
  if (outcome.status === 'full') {
    // Nothing was queued: the projection says what it said before, so no heal queues it.
    if (before) {
      const { phase, groupId, priority, enqueuedAt } = before;
      const kept = { phase, groupId, priority, enqueuedAt };
      await deps.sessions.project(
        tenantId,
        entry.sessionId,
        Object.fromEntries(Object.entries(kept).filter(([, v]) => v !== undefined)),
        (['groupId', 'priority', 'enqueuedAt'] as const).filter((f) => kept[f] === undefined),
      );
    }
    return outcome;
  }
  if (outcome.status === 'queued') {
    const occurrence = queuedOccurrence(entry);
    await recordSessionEvent(
      deps,
      {
        tenantId,
        sessionId: entry.sessionId,
        type: 'session.queued',
        occurrence,
      },
      written,
    );
  }
  // A queued session moves the monitor's queue figures; an assignment tells it via the projection.
  deps.broadcaster.statsChanged(tenantId, 'session');
  return outcome;
}

/** The queue phase: working hours, sticky routing, the group's queue and its overflow. */
export const queueActivities = (deps: ActivityDeps) => ({
  async withinWorkingHours(tenantId: string, groupId: string): Promise<boolean> {
    return withinWorkingHours(deps, tenantId, groupId);
  },

  async previousAgent(tenantId: string, visitorId: string, windowMs: number) {
    return previousAgent(deps, tenantId, visitorId, windowMs);
  },

  async enqueue(
    request: EnqueueRequest & { tenantId: string; maxLength: number },
  ): Promise<EnqueueOutcome> {
    return enqueue(deps, request);
  },

  async queueStatus(tenantId: string, sessionId: string): Promise<QueueStatus> {
    return queueStatus(deps, tenantId, sessionId);
  },

  /**
   * The hand-over as one step, in the order the chain of small steps ran:
   * working hours (closed: the off-hours notice, and the workflow offers to
   * take a message), the hand-over notice, the sticky agent, the enqueue
   * (which stores the queued projection), and the shopper's place in the
   * queue. Every part is safe to repeat: notices are stored once under their
   * purposes, and the enqueue finds a session already placed where it is.
   */
  async handOver(request: HandOver): Promise<HandOverOutcome> {
    const { tenantId, sessionId, templates, purposes } = request;
    // Before the enqueue no agent can hold the session; after it, one may at once.
    const say = (purpose: string, text: string, unheld: boolean) =>
      postWorkflowMessage(
        deps,
        { tenantId, sessionId, purpose, text, sender: 'system', kind: 'system' },
        { unheld },
      );
    if (!(await withinWorkingHours(deps, tenantId, request.groupId))) {
      await say(purposes.offHours, templates.offHours, true);
      return { open: false };
    }
    await say(purposes.handover, templates.handover, true);
    const preferredAgentId = await previousAgent(
      deps,
      tenantId,
      request.visitorId,
      request.stickyWindowMs,
    );
    const outcome = await enqueue(deps, {
      tenantId,
      sessionId,
      groupId: request.groupId,
      priority: request.priority,
      enqueuedAt: request.enqueuedAt,
      maxLength: request.maxLength,
      ...(preferredAgentId ? { preferredAgentId } : {}),
    });
    if (outcome.status !== 'queued') return { open: true, outcome, status: null, noticed: false };
    const status = await queueStatus(deps, tenantId, sessionId);
    if (status) await say(purposes.position, positionText(templates, status), false);
    return { open: true, outcome, status, noticed: status !== null };
  },

  /** Takes the session out of its queue; false when it was no longer waiting (already decided). */
  async cancelQueued(tenantId: string, sessionId: string): Promise<boolean> {
    return deps.routing.cancel(tenantId, sessionId);
  },

  async overflowGroupOf(tenantId: string, groupId: string): Promise<string | null> {
    return (await deps.routing.groupSettings(tenantId, groupId)).overflowGroupId ?? null;
  },
});
