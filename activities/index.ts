import { ApplicationFailure } from '@temporalio/activity';
import { workflowMessageId } from '../domain/message';
import type { SessionInput } from '../domain/session';
import { snapshotFlow, type FlowSnapshot } from '../domain/tenant';
import { postMessage, type PostMessageDeps } from '../messaging/post-message';
import type { SessionStore } from '../stores/sessions';
import type { TenantStore } from '../stores/tenants';

export interface ActivityDeps extends PostMessageDeps {
  tenants: TenantStore;
  sessions: SessionStore;
}

export interface RobotMessageInput {
  tenantId: string;
  sessionId: string;
  /** Stable within the session (e.g. 'greeting'), so a retried activity stores one message. */
  purpose: string;
  text: string;
}

/**
 * Side effects of the session workflow. Built from their dependencies by the
 * worker (or a test); the workflow sees only their types.
 */
export const createActivities = (deps: ActivityDeps) => ({
  /** Reads the tenant's reception settings once; the session keeps this snapshot. */
  async loadFlowSnapshot(tenantId: string): Promise<FlowSnapshot> {
    const tenant = await deps.tenants.get(tenantId);
    if (!tenant) {
      throw ApplicationFailure.create({
        type: 'TenantNotFound',
        message: `tenant ${tenantId} does not exist`,
        nonRetryable: true,
      });
    }
    return snapshotFlow(tenant.reception);
  },

  async recordSessionOpened(input: SessionInput, startedAt: string): Promise<void> {
    await deps.sessions.recordOpened(input, new Date(startedAt));
  },

  async postRobotMessage({
    tenantId,
    sessionId,
    purpose,
    text,
  }: RobotMessageInput): Promise<number> {
    const message = await postMessage(deps, {
      tenantId,
      sessionId,
      messageId: workflowMessageId(purpose),
      kind: 'text',
      sender: { type: 'robot' },
      text,
    });
    return message.seq;
  },

  /** Writes the closed projection, then frees the visitor to open a new session. */
  async recordSessionClosed(input: SessionInput, closedAt: string, reason: string): Promise<void> {
    await deps.sessions.recordClosed(input.tenantId, input.sessionId, new Date(closedAt), reason);
    await deps.sessions.releaseOpen(input.tenantId, input.visitor.id, input.sessionId);
  },
});

export type SessionActivities = ReturnType<typeof createActivities>;
