import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import {
  sessionWorkflowId,
  type SessionInput,
  type StartSessionRequest,
} from '../../domain/session';
import { issueVisitorToken } from '../../runtime/tokens';
import type { SessionStore } from '../../stores/sessions';
import type { TenantStore } from '../../stores/tenants';
import { searchAttributes, sessionWorkflowType } from '../../workflows/contract';
import { suspendedError } from '../auth/tenant-suspension';
import { AppError } from '../errors';

export interface StartSessionDeps {
  temporal: Client;
  taskQueue: string;
  tenants: TenantStore;
  sessions: SessionStore;
  tokenSecret: string;
  visitorTokenTtlSeconds: number;
}

export interface StartedSession {
  sessionId: string;
  workflowId: string;
  /** True when the visitor already had this session open and we attached to it. */
  attached: boolean;
  visitorToken: string;
  visitorTokenExpiresAt: string;
}

/**
 * Opens chat for a visitor: attaches to their open session, or starts a new
 * session workflow. One open session per visitor per tenant holds because the
 * session id comes from the visitor's open-session pointer, and the workflow
 * start is idempotent for that id (use-existing while running, refused once
 * closed, so a closed session is never reopened: we start a fresh one).
 */
export async function startSession(
  deps: StartSessionDeps,
  request: StartSessionRequest,
): Promise<StartedSession> {
  const tenant = await deps.tenants.get(request.tenantId);
  if (!tenant) throw new AppError(404, 'tenant_not_found', `No tenant with id ${request.tenantId}`);
  if (tenant.suspendedAt) throw suspendedError(request.tenantId);

  let stale: string | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (stale) await deps.sessions.releaseOpen(request.tenantId, request.visitor.id, stale);
    const { sessionId, claimed } = await deps.sessions.claimOpen(
      request.tenantId,
      request.visitor.id,
      randomUUID(),
    );
    const input: SessionInput = { ...request, sessionId };
    const workflowId = sessionWorkflowId(request.tenantId, sessionId);
    try {
      await deps.temporal.workflow.start(sessionWorkflowType, {
        workflowId,
        taskQueue: deps.taskQueue,
        args: [input],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: [
          { key: searchAttributes.tenantId, value: request.tenantId },
          { key: searchAttributes.phase, value: 'robot' },
          { key: searchAttributes.channel, value: request.channel },
          { key: searchAttributes.visitorId, value: request.visitor.id },
        ],
      });
    } catch (error) {
      // The pointer names a session whose workflow already ended (its close
      // did not get to release the pointer): drop it and open a new one.
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        stale = sessionId;
        continue;
      }
      throw error;
    }
    const { token, expiresAt } = issueVisitorToken(
      deps.tokenSecret,
      { tenantId: request.tenantId, sessionId, visitorId: request.visitor.id },
      deps.visitorTokenTtlSeconds,
    );
    return {
      sessionId,
      workflowId,
      attached: !claimed,
      visitorToken: token,
      visitorTokenExpiresAt: expiresAt,
    };
  }
  throw new AppError(
    409,
    'session_conflict',
    'The visitor’s session changed while opening it; try again',
  );
}
