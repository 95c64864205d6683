import { z } from 'zod';
import {
  agentRoutingSchema,
  agentStatuses,
  groupRoutingSchema,
  type AgentRouting,
  type AgentStatus,
  type Assignment,
  type GroupRouting,
  type GroupRoutingSettings,
} from '../domain/agents';
import { priorityRange } from '../domain/routing-rules';
import { opaqueId } from '../domain/session';
import type { RedisClient } from '../runtime/connections';
import { luaScript } from '../stores/redis/eval';
import { routingKeys } from './keys';
import {
  acceptScript,
  cancelScript,
  configureGroupScript,
  declineScript,
  enqueueScript,
  releaseScript,
  releaseStrandedScript,
  removeAgentScript,
  restoreScript,
  setStatusScript,
  transferScript,
  upsertAgentScript,
} from './scripts';

/**
 * The routing core on Redis: presence, capacity, queues and assignment. Only
 * the routing service (service.ts) holds it; the rest of the engine asks the
 * service. Inputs are validated here, before any script runs, so a bad call
 * changes nothing.
 *
 * Longer than most files: one method per Lua script in scripts.ts, each
 * checking its inputs and decoding its reply. Kept together so every call
 * of a script sits beside the refusals it can raise and the one `decide`
 * that stamps decisions with their time.
 */

export class RoutingInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'RoutingInputError';
  }
}

export function check<S extends z.ZodType>(schema: S, value: unknown, field: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [field, ...(issue?.path ?? []).map(String)].join('.');
  throw new RoutingInputError(path, issue?.message ?? 'invalid');
}

const enqueueSchema = z.strictObject({
  sessionId: opaqueId,
  groupId: opaqueId,
  priority: z.number().int().min(priorityRange.min).max(priorityRange.max),
  /** Epoch ms when the session first queued; kept across re-asserts so order survives. */
  enqueuedAt: z.number().int().min(0),
  /** Sticky routing: the shopper's previous agent, tried first. */
  preferredAgentId: opaqueId.optional(),
});
export type EnqueueRequest = z.infer<typeof enqueueSchema>;

/** Where a routed session went: to an agent, or into a queue. */
export type Placement =
  { status: 'assigned'; agentId: string } | { status: 'queued'; position: number };

/** An enqueue's answer: placed, or refused because the group's queue was already full. */
export type EnqueueResult = Placement | { status: 'full'; length: number };

/** The durable truth a tenant's routing state is rebuilt from (MongoDB and the session workflows). */
export const routingSnapshotSchema = z.strictObject({
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

export interface QueuePosition {
  groupId: string;
  position: number;
  /** Undefined until the group has made at least two assignments recently. */
  estimatedWaitMs?: number;
}

/** [sessionId, agentId, groupId, offer ('1': the agent must accept first)] */
const rawAssignment = z.tuple([z.string(), z.string(), z.string(), z.string()]);

/** Turns a script's refusal (an error reply) into an input error naming the field. */
function refusal(error: unknown): unknown {
  const message = error instanceof Error ? error.message : '';
  if (message.includes('unknown_agent'))
    return new RoutingInputError('agentId', 'no such agent in routing');
  if (message.includes('target_unavailable')) {
    return new RoutingInputError('toAgentId', 'the agent is not online with free capacity');
  }
  if (message.includes('not_assigned')) {
    return new RoutingInputError('sessionId', 'the session is not assigned to this agent');
  }
  if (message.includes('in_flight')) {
    return new RoutingInputError('sessionId', 'a decision for the session is in flight');
  }
  if (message.includes('agent_busy')) {
    return new RoutingInputError('agentId', 'the agent still holds sessions');
  }
  if (message.includes('not_offered')) {
    return new RoutingInputError('sessionId', 'the session is not offered to this agent');
  }
  return error;
}

export function createRouter(redis: RedisClient, now: () => number = Date.now) {
  const scripts = {
    upsertAgent: luaScript(upsertAgentScript),
    setStatus: luaScript(setStatusScript),
    enqueue: luaScript(enqueueScript),
    release: luaScript(releaseScript),
    releaseStranded: luaScript(releaseStrandedScript),
    removeAgent: luaScript(removeAgentScript),
    cancel: luaScript(cancelScript),
    configureGroup: luaScript(configureGroupScript),
    accept: luaScript(acceptScript),
    decline: luaScript(declineScript),
    restore: luaScript(restoreScript),
    transfer: luaScript(transferScript),
  };

  /** Assignments a script made while draining, decoded. */
  const made = (reply: unknown, at: number): Assignment[] =>
    z
      .array(rawAssignment)
      .parse(reply)
      .map(([sessionId, agentId, groupId, offer]) => ({
        sessionId,
        agentId,
        groupId,
        assignedAt: at,
        ...(offer === '1' ? { offer: true } : {}),
      }));

  /** Runs a decision script with the current time as its last argument. */
  const decide = async (
    script: (typeof scripts)['release'],
    key: string,
    args: string[],
  ): Promise<Assignment[]> => {
    const at = now();
    try {
      return made(await script(redis, key, [...args, String(at)]), at);
    } catch (error) {
      throw refusal(error);
    }
  };

  /**
   * Assigns the session to the best agent with room, or queues it; given a
   * `maxLength`, a newcomer to a queue already that long is refused ('full')
   * and nothing is written, checked in the script itself so concurrent
   * arrivals cannot overfill the queue. Safe to repeat.
   */
  function enqueue(tenantId: string, request: EnqueueRequest): Promise<Placement>;
  function enqueue(
    tenantId: string,
    request: EnqueueRequest,
    maxLength: number,
  ): Promise<EnqueueResult>;
  async function enqueue(
    tenantId: string,
    request: EnqueueRequest,
    maxLength?: number,
  ): Promise<EnqueueResult> {
    const r = check(enqueueSchema, request, 'request');
    if (maxLength !== undefined) check(z.number().int().min(0), maxLength, 'maxLength');
    const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
    const reply = z
      .tuple([z.enum(['assigned', 'queued', 'full']), z.union([z.string(), z.number()])])
      .parse(
        await scripts.enqueue(redis, keys.queue(r.groupId), [
          keys.prefix,
          r.sessionId,
          r.groupId,
          String(r.priority),
          String(r.enqueuedAt),
          String(now()),
          r.preferredAgentId ?? '',
          maxLength === undefined ? '' : String(maxLength),
        ]),
      );
    if (reply[0] === 'full') return { status: 'full', length: Number(reply[1]) };
    return reply[0] === 'assigned'
      ? { status: 'assigned', agentId: String(reply[1]) }
      : { status: 'queued', position: Number(reply[1]) };
  }

  return {
    /** Creates or changes an agent's capacity and groups; returns sessions assigned because room appeared. */
    async upsertAgent(tenantId: string, agent: AgentRouting): Promise<Assignment[]> {
      const { agentId, capacity, groups } = check(agentRoutingSchema, agent, 'agent');
      const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
      return decide(scripts.upsertAgent, keys.agent(agentId), [
        keys.prefix,
        agentId,
        String(capacity),
        groups.join(','),
      ]);
    },

    async setStatus(tenantId: string, agentId: string, status: AgentStatus): Promise<Assignment[]> {
      const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
      check(opaqueId, agentId, 'agentId');
      check(z.enum(agentStatuses), status, 'status');
      return decide(scripts.setStatus, keys.agent(agentId), [keys.prefix, agentId, status]);
    },

    /** Takes a deleted agent out of routing; refused while it holds a seat. */
    async removeAgent(tenantId: string, agentId: string): Promise<void> {
      const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
      check(opaqueId, agentId, 'agentId');
      try {
        await scripts.removeAgent(redis, keys.agent(agentId), [keys.prefix, agentId]);
      } catch (error) {
        throw refusal(error);
      }
    },

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

    enqueue,

    /** The session left the agent; returns sessions assigned to the freed seat. */
    async release(tenantId: string, agentId: string, sessionId: string): Promise<Assignment[]> {
      const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
      check(opaqueId, agentId, 'agentId');
      check(opaqueId, sessionId, 'sessionId');
      return decide(scripts.release, keys.agent(agentId), [keys.prefix, agentId, sessionId]);
    },

    /**
     * Frees a restored seat of a session that went back to the queue while
     * the state was lost (see releaseStrandedScript); refused while a
     * decision for the session is in flight.
     */
    async releaseStranded(
      tenantId: string,
      agentId: string,
      sessionId: string,
    ): Promise<Assignment[]> {
      const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
      check(opaqueId, agentId, 'agentId');
      check(opaqueId, sessionId, 'sessionId');
      return decide(scripts.releaseStranded, keys.agent(agentId), [
        keys.prefix,
        agentId,
        sessionId,
      ]);
    },

    /**
     * Moves an assigned session from its agent to another agent (who must be
     * online with room) or to a group (assigned or queued there), in one
     * atomic step; the old agent's freed seat drains its queues.
     */
    async transfer(
      tenantId: string,
      request: { sessionId: string; fromAgentId: string; priority: number } & (
        { toAgentId: string; toGroupId?: undefined } | { toGroupId: string; toAgentId?: undefined }
      ),
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

    /** The agent takes the session offered to it. False if it was not offered to this agent (any more). */
    async accept(tenantId: string, agentId: string, sessionId: string): Promise<boolean> {
      const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
      check(opaqueId, agentId, 'agentId');
      check(opaqueId, sessionId, 'sessionId');
      return (await scripts.accept(redis, keys.offers, [keys.prefix, agentId, sessionId])) === 1;
    },

    /**
     * The agent rejected the offer or let it time out: the session goes to the
     * next agent (first in the result) or back to its place in the queue.
     */
    async decline(
      tenantId: string,
      agentId: string,
      sessionId: string,
      options: { awayAfterMiss: boolean },
    ): Promise<Assignment[]> {
      const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
      check(opaqueId, agentId, 'agentId');
      check(opaqueId, sessionId, 'sessionId');
      const away = options.awayAfterMiss ? '1' : '0';
      return decide(scripts.decline, keys.offers, [keys.prefix, agentId, sessionId, away]);
    },

    /** Takes a waiting session out of its queue (gave up, overflowed). True if it was queued. */
    async cancel(tenantId: string, sessionId: string): Promise<boolean> {
      const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
      check(opaqueId, sessionId, 'sessionId');
      return (await scripts.cancel(redis, keys.ticket(sessionId), [keys.prefix, sessionId])) === 1;
    },

    /**
     * A waiting session's 1-based place in its group's queue and, once the
     * group has a recent assignment rate, the estimated wait (place × the
     * mean interval between its last 20 assignments). Undefined when not
     * waiting.
     */
    async queuePosition(tenantId: string, sessionId: string): Promise<QueuePosition | undefined> {
      const keys = routingKeys(tenantId);
      const groupId = await redis.hGet(keys.ticket(sessionId), 'groupId');
      if (!groupId) return undefined;
      const [rank, recent] = await Promise.all([
        redis.zRank(keys.queue(groupId), sessionId),
        redis.lRange(keys.assignedAt(groupId), 0, -1),
      ]);
      if (rank === null) return undefined;
      const times = recent.map(Number);
      const newest = times[0];
      const oldest = times[times.length - 1];
      const interval =
        times.length >= 2 && newest !== undefined && oldest !== undefined
          ? (newest - oldest) / (times.length - 1)
          : undefined;
      const position = rank + 1;
      return {
        groupId,
        position,
        estimatedWaitMs: interval === undefined ? undefined : Math.round(position * interval),
      };
    },

    /** 1-based place in its group's queue, or undefined when not waiting. */
    async position(tenantId: string, sessionId: string): Promise<number | undefined> {
      return (await this.queuePosition(tenantId, sessionId))?.position;
    },

    async queueLength(tenantId: string, groupId: string): Promise<number> {
      return redis.zCard(routingKeys(tenantId).queue(groupId));
    },

    /** Assignments decided but not yet acknowledged by the session's workflow. */
    async pending(tenantId: string): Promise<Assignment[]> {
      const all = await redis.hGetAll(routingKeys(tenantId).pending);
      return Object.values(all).map((json) => JSON.parse(json) as Assignment);
    },

    /** The workflow has been told: stop redelivering. */
    async acknowledge(tenantId: string, sessionId: string): Promise<void> {
      await redis.hDel(routingKeys(tenantId).pending, sessionId);
    },

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

    /**
     * The sessions holding a seat of the agent, read with the tenant's epoch
     * in one transaction: undefined while the routing state is lost and not
     * yet restored, when only MongoDB knows.
     */
    async heldSeats(tenantId: string, agentId: string): Promise<string[] | undefined> {
      // A MULTI would wait for a reconnect; without Redis, MongoDB answers at once.
      if (!redis.isReady) return undefined;
      const keys = routingKeys(tenantId);
      const [epoch, sessions] = await redis
        .multi()
        .exists(keys.epoch)
        .sMembers(keys.agentSessions(agentId))
        .exec();
      return Number(epoch) === 1 && Array.isArray(sessions) ? sessions.map(String) : undefined;
    },

    /** The agent's open sessions (its load is their number). */
    async sessionsOf(tenantId: string, agentId: string): Promise<string[]> {
      return redis.sMembers(routingKeys(tenantId).agentSessions(agentId));
    },
  };
}

export type Router = ReturnType<typeof createRouter>;
