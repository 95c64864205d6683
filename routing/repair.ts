import { z } from 'zod';
import {
  agentRoutingSchema,
  agentStatuses,
  groupRoutingSchema,
  type Assignment,
} from '../domain/agents';
import { presenceSettingsSchema } from '../domain/presence';
import { opaqueId } from '../domain/session';
import { check, type Decisions } from './decide';
import { routingKeys } from './keys';
import { enqueueSchema } from './queue';

/** The durable truth a tenant's routing state is rebuilt from (MongoDB and the session workflows). */
export const routingSnapshotSchema = z.strictObject({
  /** Absent: the state keeps following connections with the default grace. */
  presence: presenceSettingsSchema.optional(),
  groups: z.array(groupRoutingSchema.extend({ groupId: opaqueId })).default([]),
  agents: z.array(
    agentRoutingSchema.extend({
      status: z.enum(agentStatuses),
      lastAssignedAt: z.number().int().min(0).optional(),
      openSessions: z.array(opaqueId),
    }),
  ),
  waiting: z.array(
    enqueueSchema.pick({ sessionId: true, groupId: true, priority: true, enqueuedAt: true }),
  ),
});
export type RoutingSnapshot = z.input<typeof routingSnapshotSchema>;

/** Redis lost the state: notice it, rebuild it from the durable truth, settle what was in doubt. */
export function repairDecisions({ redis, now, scripts, made }: Decisions) {
  return {
    /**
     * Rebuilds the tenant's routing state from the durable truth if Redis lost
     * it; a no-op (false) while the state is intact. See restoreScript.
     */
    async restore(
      tenantId: string,
      snapshot: RoutingSnapshot,
    ): Promise<{ restored: boolean; assignments: Assignment[] }> {
      const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
      const valid = check(routingSnapshotSchema, snapshot, 'snapshot');
      const at = now();
      const reply = await scripts.restore(redis, keys.epoch, [
        keys.prefix,
        JSON.stringify(valid),
        String(at),
      ]);
      if (reply === 'intact') return { restored: false, assignments: [] };
      return { restored: true, assignments: made(reply, at) };
    },

    /**
     * Seats the last restore took from MongoDB that nobody has settled since.
     * The restore's snapshot is read before the script runs, so a session
     * closed or requeued in between (its release found nothing to free)
     * comes back holding a seat; the routing service checks these against
     * MongoDB.
     */
    async restoredSeats(tenantId: string): Promise<{ sessionId: string; agentId: string }[]> {
      const seats = await redis.hGetAll(routingKeys(tenantId).restored);
      return Object.entries(seats).map(([sessionId, agentId]) => ({ sessionId, agentId }));
    },

    /** The restored seat has been checked: it is no longer in doubt. */
    async settleRestoredSeat(tenantId: string, sessionId: string): Promise<void> {
      await redis.hDel(routingKeys(tenantId).restored, sessionId);
    },

    /** False once Redis has lost the tenant's routing state and it has not been restored yet. */
    async intact(tenantId: string): Promise<boolean> {
      return (await redis.exists(routingKeys(tenantId).epoch)) === 1;
    },
  };
}
