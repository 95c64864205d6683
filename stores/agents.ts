import type { Db } from 'mongodb';
import type { AgentRouting, AgentStatus, GroupRoutingSettings } from '../domain/agents';
import type { StatusReason } from '../domain/presence';
import { collections } from './collections';

const key = (tenantId: string, id: string) => `${tenantId}:${id}`;

/**
 * Agents' routing settings and presence, and groups' routing settings, in
 * MongoDB: the durable truth the Redis routing state mirrors and is rebuilt
 * from. Written before Redis, so a crash in between leaves the truth ahead.
 */
export function agentStore(db: Db) {
  const { agents, groups } = collections(db);
  return {
    async upsertAgent(tenantId: string, agent: AgentRouting): Promise<void> {
      await agents.updateOne(
        { _id: key(tenantId, agent.agentId) },
        {
          $set: { capacity: agent.capacity, groups: agent.groups, updatedAt: new Date() },
          $setOnInsert: { tenantId, agentId: agent.agentId, status: 'offline' },
        },
        { upsert: true },
      );
    },

    /**
     * False when the agent does not exist (nothing is written). A change
     * stamps `statusChangedAt` and `previousStatus` (the `agent.status_changed`
     * event is derived from them); setting the status it has changes nothing.
     * The write is conditional on the status read, so two racing changes each
     * record what they replaced.
     */
    async setStatus(tenantId: string, agentId: string, status: AgentStatus): Promise<boolean> {
      for (;;) {
        const doc = await agents.findOne({ _id: key(tenantId, agentId) });
        if (!doc) return false;
        // A status the engine chose becomes the agent's own when they set it themselves.
        if (doc.status === status && !doc.statusReason) return true;
        const now = new Date();
        const result = await agents.updateOne(
          { _id: key(tenantId, agentId), status: doc.status },
          {
            $set: {
              status,
              previousStatus: doc.status,
              statusChangedAt: now,
              updatedAt: now,
              // The stretch this change ends began then (reports measure agents' time from it).
              ...(doc.statusChangedAt ? { previousStatusChangedAt: doc.statusChangedAt } : {}),
            },
            $unset: { statusReason: '' },
          },
        );
        if (result.matchedCount === 1) return true;
      }
    },

    /**
     * The engine's own status change, made only while the agent's status is
     * one of `from` (and, with `fromReason`, was set for that reason): the
     * agent's own choice made meanwhile is never overwritten. Stamps as
     * setStatus does; true when it changed the status.
     */
    async changeStatusIf(
      tenantId: string,
      agentId: string,
      from: { statuses: readonly AgentStatus[]; reason?: StatusReason },
      to: { status: AgentStatus; reason?: StatusReason },
    ): Promise<boolean> {
      for (;;) {
        const doc = await agents.findOne({ _id: key(tenantId, agentId) });
        if (!doc || !from.statuses.includes(doc.status)) return false;
        if (from.reason !== undefined && doc.statusReason !== from.reason) return false;
        const now = new Date();
        const result = await agents.updateOne(
          {
            _id: key(tenantId, agentId),
            status: doc.status,
            statusReason: doc.statusReason ?? { $exists: false },
          },
          {
            $set: {
              status: to.status,
              previousStatus: doc.status,
              statusChangedAt: now,
              updatedAt: now,
              ...(doc.statusChangedAt ? { previousStatusChangedAt: doc.statusChangedAt } : {}),
              ...(to.reason ? { statusReason: to.reason } : {}),
            },
            ...(to.reason ? {} : { $unset: { statusReason: '' as const } }),
          },
        );
        if (result.matchedCount === 1) return true;
      }
    },

    async removeAgent(tenantId: string, agentId: string): Promise<void> {
      await agents.deleteOne({ _id: key(tenantId, agentId), tenantId });
    },

    async getAgent(tenantId: string, agentId: string) {
      return agents.findOne({ _id: key(tenantId, agentId) });
    },

    async listAgents(tenantId: string) {
      return agents.find({ tenantId }).sort({ agentId: 1 }).toArray();
    },

    async upsertGroup(
      tenantId: string,
      groupId: string,
      settings: GroupRoutingSettings,
    ): Promise<void> {
      await groups.updateOne(
        { _id: key(tenantId, groupId) },
        {
          $set: {
            tenantId,
            groupId,
            strategy: settings.strategy,
            reserve: settings.reserve,
            updatedAt: new Date(),
            ...(settings.overflowGroupId ? { overflowGroupId: settings.overflowGroupId } : {}),
          },
          ...(settings.overflowGroupId ? {} : { $unset: { overflowGroupId: '' } }),
        },
        { upsert: true },
      );
    },

    async listGroups(tenantId: string) {
      return groups.find({ tenantId }).sort({ groupId: 1 }).toArray();
    },

    /** Which of `groupIds` the tenant has. */
    async existingGroups(tenantId: string, groupIds: readonly string[]): Promise<Set<string>> {
      const found = await groups
        .find({ tenantId, groupId: { $in: [...new Set(groupIds)] } })
        .project<{ groupId: string }>({ groupId: 1 })
        .toArray();
      return new Set(found.map((g) => g.groupId));
    },

    /** Agents of the group, by id, at most `limit`. */
    async agentsInGroup(tenantId: string, groupId: string, limit: number): Promise<string[]> {
      const found = await agents
        .find({ tenantId, groups: groupId })
        .sort({ agentId: 1 })
        .limit(limit)
        .toArray();
      return found.map((a) => a.agentId);
    },

    /** Groups that overflow into the group, by id, at most `limit`. */
    async groupsOverflowingInto(tenantId: string, groupId: string, limit: number) {
      const found = await groups
        .find({ tenantId, overflowGroupId: groupId })
        .sort({ groupId: 1 })
        .limit(limit)
        .toArray();
      return found.map((g) => g.groupId);
    },

    /**
     * Every tenant's group ids, the one read across tenants: the ops metrics
     * total the queues of the whole platform (runtime/metrics.ts).
     */
    async groupsOfEveryTenant(): Promise<Map<string, string[]>> {
      const found = await groups
        .find({})
        .project<{ tenantId: string; groupId: string }>({ _id: 0, tenantId: 1, groupId: 1 })
        .toArray();
      const byTenant = new Map<string, string[]>();
      for (const { tenantId, groupId } of found) {
        byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), groupId]);
      }
      return byTenant;
    },

    /** False when the tenant has no such group. */
    async removeGroup(tenantId: string, groupId: string): Promise<boolean> {
      return (await groups.deleteOne({ _id: key(tenantId, groupId), tenantId })).deletedCount === 1;
    },
  };
}

export type AgentStore = ReturnType<typeof agentStore>;
