import type { Assignment } from '../../domain/agents';
import { fillTemplate } from '../../domain/templates';
import { routeSession } from '../../domain/route-session';
import { now, waitUntil, type Session, type Transition } from './context';

/**
 * The queue phase: routing (the flow's rules pick the group, working hours
 * decide whether it takes chats now), the enqueue, the wait for a routing
 * decision with position notices, the re-assert of the queue entry after
 * Redis lost it, and the overflow (the overflow group once, else a message
 * for later).
 */

/** The assigned signal: a routing decision, taken in the queue or given back. */
export function decisionArrived(session: Session, assignment: Assignment): void {
  const s = session.state;
  if (assignment.sessionId !== s.sessionId) return;
  // A redelivered decision we already act on.
  if (assignment.agentId === s.agentId || assignment.agentId === s.offeredAgentId) return;
  if (assignment.agentId === session.offer?.agentId) return;
  if (session.awaitingAssignment && !session.offer) session.offer = assignment;
  // A decision nobody waits for (made after we left the queue): give the seat back.
  else session.strays.push(assignment);
}

/** Leaves the robot: picks the group by the flow's rules, checks hours, queues. */
export async function route(session: Session): Promise<Transition | undefined> {
  const s = session.state;
  const f = session.flow;
  const { input } = session;
  const target = routeSession(f.routing, {
    channel: input.channel,
    entryType: input.entry.type,
    visitorTags: input.visitor.tags,
  });
  s.groupId = target.groupId;
  s.priority = target.priority;
  if (session.oneStep) return handOver(session, target.groupId);
  if (!(await session.activities.withinWorkingHours(s.tenantId, target.groupId))) {
    await session.post('off-hours', f.templates.offHours, 'system');
    return { to: 'leave-message' };
  }
  await session.post('handover', f.templates.handover, 'system');
  s.enqueuedAt = now();
  return enqueueIn(session, target.groupId);
}

/**
 * The hand-over as one step (patches.ts `oneStepTransitions`): hours, the
 * notice, the sticky agent, the enqueue and the position notice in one
 * activity. The phase (and its search attributes) changes once the session
 * is in the queue; a decision the enqueue made at once is already awaited.
 */
async function handOver(session: Session, groupId: string): Promise<Transition | undefined> {
  const s = session.state;
  const f = session.flow;
  s.enqueuedAt = now();
  session.awaitingAssignment = true;
  const { handover, offHours, queued, queuedWithWait } = f.templates;
  const result = await session.activities.handOver({
    transition: session.transition('hand-over'),
    tenantId: s.tenantId,
    sessionId: s.sessionId,
    visitorId: s.visitorId,
    groupId,
    priority: s.priority ?? 0,
    enqueuedAt: s.enqueuedAt,
    maxLength: f.queue.maxLength,
    stickyWindowMs: f.queue.stickyWindowMs,
    templates: { handover, offHours, queued, queuedWithWait },
    // As the chain numbered them: the hand-over (or off-hours) notice, then the position.
    purposes: {
      handover: 'handover',
      offHours: 'off-hours',
      position: `queue-${session.posted + 1}`,
    },
  });
  session.posted++;
  if (!result.open) {
    session.awaitingAssignment = false;
    return { to: 'leave-message' };
  }
  // The step stored the queued projection with the entry.
  await session.enter('queued');
  const { outcome, status } = result;
  if (outcome.status === 'full' || outcome.status === 'no_group') return overflow(session);
  if (status) {
    s.queuePosition = status.position;
    s.estimatedWaitMs = status.estimatedWaitMs;
  }
  if (result.noticed) session.posted++;
  return undefined;
}

async function enqueueIn(session: Session, groupId: string): Promise<Transition | undefined> {
  const s = session.state;
  const f = session.flow;
  s.groupId = groupId;
  // The enqueue activity stores the queued projection with the entry.
  await session.enter('queued');
  session.awaitingAssignment = true;
  const preferredAgentId =
    (await session.activities.previousAgent(s.tenantId, s.visitorId, f.queue.stickyWindowMs)) ??
    undefined;
  const outcome = await session.activities.enqueue({
    tenantId: s.tenantId,
    sessionId: s.sessionId,
    groupId,
    priority: s.priority ?? 0,
    enqueuedAt: s.enqueuedAt ?? now(),
    maxLength: f.queue.maxLength,
    ...(preferredAgentId ? { preferredAgentId } : {}),
  });
  if (outcome.status === 'full' || outcome.status === 'no_group') return overflow(session);
  if (outcome.status === 'queued') await noticePosition(session);
  return undefined;
}

/** Too long a queue or wait: the overflow group once, else a message for later. */
async function overflow(session: Session): Promise<Transition | undefined> {
  const s = session.state;
  const next = s.overflowed
    ? null
    : await session.activities.overflowGroupOf(s.tenantId, s.groupId ?? '');
  if (next) {
    s.overflowed = true;
    return enqueueIn(session, next);
  }
  session.awaitingAssignment = false;
  return { to: 'leave-message' };
}

/** Tells the shopper their place in the queue (and the expected wait) when it changed. */
async function noticePosition(session: Session): Promise<void> {
  const s = session.state;
  const status = await session.activities.queueStatus(s.tenantId, s.sessionId);
  if (!status) return;
  if (status.position === s.queuePosition) return;
  s.queuePosition = status.position;
  s.estimatedWaitMs = status.estimatedWaitMs;
  const t = session.flow.templates;
  const text =
    status.estimatedWaitMs === undefined
      ? fillTemplate(t.queued, { position: status.position })
      : fillTemplate(t.queuedWithWait, {
          position: status.position,
          wait: Math.max(1, Math.round(status.estimatedWaitMs / 60_000)),
        });
  await session.post(`queue-${session.posted}`, text, 'system');
}

/**
 * One wait in the queue, until a decision, a close, the next position notice
 * or the maximum wait. Out of the queue first on a close or the maximum
 * wait: if a decision was made meanwhile, its offer is on its way.
 */
export async function queuedStep(session: Session): Promise<Transition | undefined> {
  const s = session.state;
  const f = session.flow;
  const waitDeadline = (s.enqueuedAt ?? now()) + f.queue.maxWaitMs;
  const ready = () => session.wake() || session.offer !== undefined;
  const notice = Math.min(waitDeadline, now() + f.queue.positionNoticeMs);
  const noticeDue = !(await waitUntil(ready, notice));
  if (session.offer) return { to: 'offer', assignment: session.offer };
  if (session.strays.length) return undefined;
  if (session.closeRequest || (noticeDue && now() >= waitDeadline)) {
    if (!(await session.activities.cancelQueued(s.tenantId, s.sessionId))) {
      const decisionArrivedInTime = await waitUntil(
        () => session.offer !== undefined,
        now() + 30_000,
      );
      if (!decisionArrivedInTime) await reassertQueue(session);
      return undefined;
    }
    if (session.closeRequest) return { to: 'close', reason: 'abandoned' };
    return overflow(session);
  }
  await reassertQueue(session);
  return undefined;
}

/**
 * Re-asserts the queue entry (a no-op while Redis has it; after Redis lost
 * its data this puts the session back in its original place) and tells
 * the shopper their position if it changed.
 */
async function reassertQueue(session: Session): Promise<void> {
  const s = session.state;
  const status = await session.activities.queueStatus(s.tenantId, s.sessionId);
  if (!status && !session.offer) {
    await session.activities.enqueue({
      tenantId: s.tenantId,
      sessionId: s.sessionId,
      groupId: s.groupId ?? '',
      priority: s.priority ?? 0,
      enqueuedAt: s.enqueuedAt ?? now(),
      maxLength: Number.MAX_SAFE_INTEGER,
    });
  }
  if (!session.offer) await noticePosition(session);
}
