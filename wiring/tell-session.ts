import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { sessionWorkflowId } from '../domain/session';
import type { TellSession } from '../routing/service';
import { assignedSignal } from '../workflows/contract';

/** Tells a session workflow of a routing decision by signal; a finished workflow is 'gone'. */
export function tellSessionBySignal(client: Client): TellSession {
  return async (tenantId, assignment) => {
    try {
      await client.workflow
        .getHandle(sessionWorkflowId(tenantId, assignment.sessionId))
        .signal(assignedSignal, assignment);
      return 'told';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return 'gone';
      throw error;
    }
  };
}
