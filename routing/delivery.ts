import type { Assignment } from '../domain/agents';
import type { Router } from './router';

export interface DeliveryRound {
  delivered: Assignment[];
  failed: { assignment: Assignment; error: unknown }[];
}

/**
 * How telling a session's workflow went: 'gone' means the workflow no
 * longer runs (closed, terminated), so nobody will take the seat; 'told' (or
 * nothing) means it has the decision. A tell that throws could not reach the
 * workflow.
 */
export type TellOutcome = 'told' | 'gone' | void;

/**
 * The one tell-and-acknowledge loop: tells each decision's workflow, then
 * acknowledges it (it stops being pending). A decision for a session whose
 * workflow is gone gives the seat back, and whatever that freed seat drains
 * is told in turn. A decision that could not be told stays pending for the
 * next redelivery round; the receiving workflow ignores a decision it
 * already has, so a retold session sees it once.
 */
export async function tellAndAcknowledge(
  router: Pick<Router, 'acknowledge' | 'release'>,
  tenantId: string,
  assignments: Assignment[],
  tell: (assignment: Assignment) => Promise<TellOutcome>,
): Promise<DeliveryRound> {
  const round: DeliveryRound = { delivered: [], failed: [] };
  const queue = [...assignments];
  for (let next = queue.shift(); next; next = queue.shift()) {
    try {
      const outcome = await tell(next);
      await router.acknowledge(tenantId, next.sessionId);
      round.delivered.push(next);
      if (outcome === 'gone') {
        queue.push(...(await router.release(tenantId, next.agentId, next.sessionId)));
      }
    } catch (error) {
      round.failed.push({ assignment: next, error });
    }
  }
  return round;
}

/**
 * One round of redelivery: tells the session of every pending decision older
 * than `minAgeMs` (younger ones are still being told by whoever made them).
 * A decision whose process died before telling is therefore told by the
 * next round.
 */
export async function deliverPending(
  router: Pick<Router, 'pending' | 'acknowledge' | 'release'>,
  tenantId: string,
  tell: (assignment: Assignment) => Promise<TellOutcome>,
  options: { minAgeMs: number; now?: number },
): Promise<DeliveryRound> {
  const now = options.now ?? Date.now();
  const due = (await router.pending(tenantId)).filter(
    (a) => now - a.assignedAt >= options.minAgeMs,
  );
  return tellAndAcknowledge(router, tenantId, due, tell);
}
