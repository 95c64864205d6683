import { groupRoutingSchema, type GroupRouting, type GroupRoutingSettings } from '../domain/agents';
import { opaqueId } from '../domain/session';
import { check, RoutingInputError, type Decisions } from './decide';
import { routingKeys } from './keys';

/** A group's routing settings: strategy, reservation, overflow. */
export function groupDecisions({ redis, scripts }: Decisions) {
  return {
    /**
     * A group's assignment strategy, and whether its agents must accept an
     * offer (reservation) before a session is theirs.
     */
    async configureGroup(tenantId: string, groupId: string, settings: GroupRouting): Promise<void> {
      const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
      check(opaqueId, groupId, 'groupId');
      const { strategy, reserve, overflowGroupId } = check(groupRoutingSchema, settings, 'group');
      if (overflowGroupId === groupId) {
        throw new RoutingInputError('group.overflowGroupId', 'a group cannot overflow into itself');
      }
      await scripts.configureGroup(redis, keys.group(groupId), [
        keys.prefix,
        groupId,
        strategy,
        reserve ? '1' : '0',
        overflowGroupId ?? '',
      ]);
    },

    /**
     * Forgets a removed group's settings and wait estimate. Its queue and
     * available set are left alone: empty for a group nobody serves or waits
     * in, and live state (for the heal to settle) if a session raced the removal.
     */
    async removeGroup(tenantId: string, groupId: string): Promise<void> {
      const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
      check(opaqueId, groupId, 'groupId');
      await redis.del([keys.group(groupId), keys.assignedAt(groupId)]);
    },

    /** A group's routing settings (defaults for a group never configured). */
    async groupSettings(tenantId: string, groupId: string): Promise<GroupRoutingSettings> {
      const stored = await redis.hGetAll(routingKeys(tenantId).group(groupId));
      return groupRoutingSchema.parse({
        strategy: stored.strategy,
        reserve: stored.reserve === '1',
        overflowGroupId: stored.overflow || undefined,
      });
    },
  };
}
