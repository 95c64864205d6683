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

  /**
   * Records a transfer that happened. Its note (what the transferring agent
   * wrote for the next one) is kept on the session's transfer record, for
   * the receiving agent's list line and offer alert, and as a staff-only
   * note in the session, stored once under the transfer's time; it is never
   * part of the shopper's messages or of the `session.transferred` event.
   */
  async recordTransfer(
    tenantId: string,
    sessionId: string,
    transfer: {
      at: string;
      fromAgentId: string;
      toAgentId?: string;
      toGroupId?: string;
      note?: string;
      /** Who asked for it (the agent, a supervisor's id, or `ops`): the note's author. */
      by?: string;
      /**
       * When the transferring agent's holding began. A worker that dies after
       * this step wrote, before its workflow task completed, has the step run
       * again by the task's next attempt, whose clock (`at`) has moved on: the
       * holding a transfer ends is what names it, so the record, its note and
       * its event are each kept once. Absent in runs recorded before it.
       */
      heldSince?: string;
    },
  ): Promise<void> {
    const { fromAgentId, toAgentId, toGroupId, note, by, heldSince } = transfer;
    const to = { ...(toAgentId ? { toAgentId } : {}), ...(toGroupId ? { toGroupId } : {}) };
    const occurrence = heldSince ? `${fromAgentId}@${heldSince}` : transfer.at;
    if (note) {
      const afterSeq = (await deps.messages.last(tenantId, sessionId))?.seq ?? 0;
      const stored = await deps.notes.add(
        tenantId,
        {
          sessionId,
          noteId: `transfer:${occurrence}`,
          authorId: by ?? fromAgentId,
          text: note,
          afterSeq,
          transfer: { fromAgentId, ...to },
        },
        new Date(transfer.at),
      );
      if (stored.created) deps.broadcaster.noteToSession(tenantId, stored.note);
    }
    await deps.sessions.appendTransfer(tenantId, sessionId, {
      at: new Date(transfer.at),
      fromAgentId,
      ...to,
      ...(note ? { note } : {}),
      ...(heldSince ? { heldSince: new Date(heldSince) } : {}),
    });
    await recordSessionEvent(deps, {
      tenantId,
      sessionId,
      type: 'session.transferred',
      occurrence,
      extra: { transfer: { fromAgentId, toAgentId, toGroupId } },
    });
  },
});
