import { z } from 'zod';
import type { Assignment } from '../domain/agents';
import { opaqueId } from '../domain/session';
import { check, refusal, type Decisions } from './decide';
import { routingKeys } from './keys';
import { enqueueSchema, type Placement } from './queue';

export type TransferRequest = { sessionId: string; fromAgentId: string; priority: number } & (
  { toAgentId: string; toGroupId?: undefined } | { toGroupId: string; toAgentId?: undefined }
);

/** An assigned session moving from its agent to another agent or group. */
export function transferDecisions({ redis, now, scripts, made }: Decisions) {
  return {
    /**
     * Moves an assigned session from its agent to another agent (who must be
     * online with room) or to a group (assigned or queued there), in one
     * atomic step; the old agent's freed seat drains its queues.
     */
    async transfer(
      tenantId: string,
      request: TransferRequest,
    ): Promise<{ result: Placement; assignments: Assignment[] }> {
      const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
      check(opaqueId, request.sessionId, 'sessionId');
      check(opaqueId, request.fromAgentId, 'fromAgentId');
      if (request.toAgentId !== undefined) check(opaqueId, request.toAgentId, 'toAgentId');
      if (request.toGroupId !== undefined) check(opaqueId, request.toGroupId, 'toGroupId');
      check(enqueueSchema.shape.priority, request.priority, 'priority');
      const at = now();
      let reply: unknown;
      try {
        reply = await scripts.transfer(redis, keys.assignment, [
          keys.prefix,
          request.fromAgentId,
          request.sessionId,
          request.toAgentId ?? '',
          request.toGroupId ?? '',
          String(request.priority),
          String(at),
        ]);
      } catch (error) {
        throw refusal(error);
      }
      const [[status, value], decisions] = z
        .tuple([
          z.tuple([z.enum(['assigned', 'queued']), z.union([z.string(), z.number()])]),
          z.unknown(),
        ])
        .parse(reply);
      return {
        result:
          status === 'assigned'
            ? { status, agentId: String(value) }
            : { status, position: Number(value) },
        assignments: made(decisions, at),
      };
    },
  };
}
