import {
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  setHandler,
} from '@temporalio/workflow';
import { assignedSignal } from '../../workflows/contract';

/**
 * Workflows for benchmarks only: the baselines the engine's numbers are put
 * beside, on the same Temporal server in the same run.
 */

/** Start-to-complete with nothing in between: the fastest a workflow can be. */
export async function noopWorkflow(): Promise<void> {
  // Nothing to do: the cost measured is Temporal's own.
}

/** Answered once the workflow has run its first task, so the benchmark starts warm. */
export const readyQuery = defineQuery<boolean>('ready');

/** Stands in for a waiting session: returns its workflow clock when the assignment arrives. */
export async function awaitAssignmentWorkflow(): Promise<number> {
  let told: number | undefined;
  setHandler(readyQuery, () => true);
  setHandler(assignedSignal, () => {
    told ??= Date.now();
  });
  await condition(() => told !== undefined);
  return told ?? 0;
}

/**
 * A session's shape with none of its work: the five events a full session
 * gets from outside (a shopper question, the hand-over, the assignment, the
 * close, the rating), each handled as a workflow task with no activity, in
 * the same order. Its rate is what Temporal alone allows a session of this
 * shape on this server, the ceiling for any implementation of it.
 */
export const skeletonEvents = {
  question: defineSignal('visitorText'),
  handOver: defineUpdate<void>('requestHuman'),
  assigned: defineSignal('assigned'),
  close: defineUpdate<void>('close'),
  rate: defineUpdate<void>('rate'),
};

export async function sessionSkeletonWorkflow(): Promise<void> {
  let step = 0;
  const next = (at: number) => () => {
    step = Math.max(step, at);
  };
  setHandler(skeletonEvents.question, next(1));
  setHandler(skeletonEvents.handOver, next(2));
  setHandler(skeletonEvents.assigned, next(3));
  setHandler(skeletonEvents.close, next(4));
  setHandler(skeletonEvents.rate, next(5));
  await condition(() => step === 5);
}
