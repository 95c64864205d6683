import { condition, defineQuery, setHandler } from '@temporalio/workflow';
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
