import { ApplicationFailure } from '@temporalio/activity';
import { RoutingInputError } from '../routing/decide';
import type { RoutingService } from '../routing/service';
import type { ActivityDeps } from './deps';
import { recordSessionEvent } from '../events/session-events';

/** A transfer: the seat moves to another agent or group, and the session records it. */
export const transferActivities = (deps: ActivityDeps) => ({
  /**
   * Moves the seat atomically. A target agent who is not online with room is
   * a business refusal (non-retryable), and nothing changes.
   */
  async transferSeat(
    tenantId: string,
    request: Parameters<RoutingService['transfer']>[1],
  ): Promise<{ status: 'assigned'; agentId: string } | { status: 'queued'; position: number }> {
    try {
      return await deps.routing.transfer(tenantId, request);
    } catch (error) {
      if (error instanceof RoutingInputError) {
        throw ApplicationFailure.create({
          type: 'TargetUnavailable',
          message: error.message,
          nonRetryable: true,
        });
      }
      throw error;
    }
  },

  async recordTransfer(
    tenantId: string,
    sessionId: string,
    transfer: { at: string; fromAgentId: string; toAgentId?: string; toGroupId?: string },
  ): Promise<void> {
    await deps.sessions.appendTransfer(tenantId, sessionId, {
      ...transfer,
      at: new Date(transfer.at),
    });
    const { fromAgentId, toAgentId, toGroupId } = transfer;
    await recordSessionEvent(deps, {
      tenantId,
      sessionId,
      type: 'session.transferred',
      occurrence: transfer.at,
      extra: { transfer: { fromAgentId, toAgentId, toGroupId } },
    });
  },
});
