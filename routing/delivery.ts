import type { Assignment } from '../domain/agents';
import type { Router } from './router';

export interface DeliveryRound {
  delivered: Assignment[];
  failed: { assignment: Assignment; error: unknown }[];
}

/**
 * One round of redelivery: tells the session of every pending decision older
 * than `minAgeMs` (younger ones are still being told by whoever made them),
 * and acknowledges each one that was told. A decision whose process died
 * before telling is therefore told by the next round; the receiving workflow
 * ignores a decision it already has, so the session sees it once.
 */
export async function deliverPending(
  router: Router,
  tenantId: string,
  tell: (assignment: Assignment) => Promise<void>,
  options: { minAgeMs: number; now?: number },
): Promise<DeliveryRound> {
  const now = options.now ?? Date.now();
  const due = (await router.pending(tenantId)).filter(
    (a) => now - a.assignedAt >= options.minAgeMs,
  );
  const round: DeliveryRound = { delivered: [], failed: [] };
  for (const assignment of due) {
    try {
      await tell(assignment);
      await router.acknowledge(tenantId, assignment.sessionId);
      round.delivered.push(assignment);
    } catch (error) {
      round.failed.push({ assignment, error });
    }
  }
  return round;
}
