import { isGrpcServiceError, type Client } from '@temporalio/client';
import { sessionWorkflowId } from '../../domain/session';
import { closeUpdate } from '../../workflows/contract';

/**
 * Session workflows seen from outside, for erasure, suspension and tenant
 * deletion: find them in visibility, close one the polite way, delete them.
 */

/** gRPC's NOT_FOUND (the client passes the server's status through). */
const notFound = 5;

/** A value inside a visibility query; ids are opaque ids, quotes are escaped anyway. */
export const quoted = (value: string): string => `'${value.replace(/'/g, "\\'")}'`;

/** Every execution (each run, open or closed) that a visibility query finds. */
export async function listExecutions(
  client: Client,
  query: string,
): Promise<{ workflowId: string; runId: string }[]> {
  const found: { workflowId: string; runId: string }[] = [];
  for await (const execution of client.workflow.list({ query })) {
    found.push({ workflowId: execution.workflowId, runId: execution.runId });
  }
  return found;
}

/**
 * Closes a running session through its workflow, as an operator would
 * (close reason `ops`): the workflow frees the seat, posts the flow's
 * closing line and records the close. False when it did not answer within
 * `timeoutMs` or refused (already closed, not running): the caller decides.
 */
export async function closeAsOps(
  client: Client,
  tenantId: string,
  sessionId: string,
  timeoutMs: number,
): Promise<boolean> {
  const handle = client.workflow.getHandle(sessionWorkflowId(tenantId, sessionId));
  // Raced against a timer, not given a call deadline (call contexts do not
  // survive an await here: runtime/temporal-connection.ts). A close that
  // answers after the timer changes nothing the caller relies on.
  const closed = handle.executeUpdate(closeUpdate, { args: [{ by: { type: 'ops' } }] }).then(
    () => true,
    () => false,
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([closed, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Deletes a workflow execution: its history and its visibility record.
 * A running one is terminated first by the server. Without `runId`, the
 * latest run. False when there was nothing to delete.
 */
export async function deleteExecution(
  client: Client,
  workflowId: string,
  runId?: string,
): Promise<boolean> {
  try {
    await client.workflowService.deleteWorkflowExecution({
      namespace: client.options.namespace,
      workflowExecution: { workflowId, ...(runId ? { runId } : {}) },
    });
    return true;
  } catch (error) {
    if (isGrpcServiceError(error) && Number(error.code) === notFound) return false;
    throw error;
  }
}
