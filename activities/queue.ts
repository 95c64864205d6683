import { log } from '@temporalio/activity';
import { isOpen } from '../domain/working-hours';
import type { EnqueueRequest } from '../routing/queue';
import type { ActivityDeps } from './deps';

export type EnqueueOutcome =
  | { status: 'assigned'; agentId: string }
  | { status: 'queued'; position: number }
  | { status: 'full'; length: number }
  | { status: 'no_group' };

/** The queue phase: working hours, sticky routing, the group's queue and its overflow. */
export const queueActivities = (deps: ActivityDeps) => ({
  /** Whether the group (or the tenant's default schedule) is within working hours now. */
  async withinWorkingHours(tenantId: string, groupId: string): Promise<boolean> {
    const schedule = await deps.hours.forGroup(tenantId, groupId, 'reception');
    return schedule === undefined || isOpen(schedule, new Date());
  },

  /** The shopper's agent of a session closed within `windowMs`, for sticky routing. */
  async previousAgent(tenantId: string, visitorId: string, windowMs: number) {
    if (windowMs <= 0) return undefined;
    return deps.sessions.previousAgent(tenantId, visitorId, new Date(Date.now() - windowMs));
  },

  /**
   * Puts the session in the group's queue (or straight to an agent). The
   * projection is written first, so a Redis loss right after is healed from
   * it. A queue already `maxLength` long refuses the session ('full'): the
   * enqueue script checks the length as it places the session, so concurrent
   * arrivals cannot overfill it; the projection then goes back to what it was.
   */
  async enqueue(
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
    await deps.sessions.project(tenantId, entry.sessionId, {
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
    // A queued session moves the monitor's queue figures; an assignment tells it via the projection.
    deps.broadcaster.statsChanged(tenantId, 'session');
    return outcome;
  },

  async queueStatus(tenantId: string, sessionId: string) {
    return (await deps.routing.queuePosition(tenantId, sessionId)) ?? null;
  },

  /** Takes the session out of its queue; false when it was no longer waiting (already decided). */
  async cancelQueued(tenantId: string, sessionId: string): Promise<boolean> {
    return deps.routing.cancel(tenantId, sessionId);
  },

  async overflowGroupOf(tenantId: string, groupId: string): Promise<string | null> {
    return (await deps.routing.groupSettings(tenantId, groupId)).overflowGroupId ?? null;
  },
});
