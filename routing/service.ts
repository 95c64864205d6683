import {
  agentRoutingSchema,
  agentStatuses,
  groupRoutingSchema,
  type AgentRouting,
  type AgentStatus,
  type Assignment,
  type GroupRouting,
} from '../domain/agents';
import { endedPhases, opaqueId, type SessionPhase } from '../domain/session';
import {
  presenceSettingsSchema,
  type PresenceSettings,
  type PresenceSettingsInput,
} from '../domain/presence';
import type { AgentStore } from '../stores/agents';
import type { SessionStore } from '../stores/sessions';
import type { TenantStore } from '../stores/tenants';
import { deliverPending, tellAndAcknowledge, type DeliveryRound } from './delivery';
import { check, RoutingInputError } from './decide';
import { presenceFollowing } from './presence-following';
import type { EnqueueRequest, EnqueueResult } from './queue';
import type { Router } from './router';
import { z } from 'zod';

/**
 * Tells a session's workflow of a routing decision. 'gone' means the
 * workflow no longer runs (closed, terminated): nobody will take the seat.
 * Throws when the workflow could not be reached; the decision then stays
 * pending and is retold later.
 */
export type TellSession = (tenantId: string, assignment: Assignment) => Promise<'told' | 'gone'>;

export interface RoutingServiceDeps {
  router: Router;
  agents: AgentStore;
  sessions: SessionStore;
  /** Each tenant's presence settings, part of the durable truth a heal restores. */
  tenants: Pick<TenantStore, 'presence' | 'setPresence'>;
  tell: TellSession;
  onDeliveryError?: (assignment: Assignment, error: unknown) => void;
  /** Told of each decision its maker delivered and of each heal that rebuilt, for the ops metrics. */
  observe?: RoutingObserver;
}

export interface RoutingObserver {
  /** From the session entering its queue to the decision that assigned or offered it. */
  decided(kind: 'assigned' | 'offered', latencyMs: number): void;
  healed(outcome: 'started' | 'rebuilt'): void;
}

/** Phases in which a live session holds no seat (it may be given one). */
const seatlessPhases: readonly SessionPhase[] = ['robot', 'queued', 'leave_message'];

/**
 * Routing as the rest of the engine uses it: MongoDB (the durable truth)
 * written first, then the Redis decision, then the affected sessions told.
 * The API (presence, settings), the activities (enqueue, release, transfer)
 * and the worker's background rounds (redelivery, healing) all call this one
 * module.
 */
export function createRoutingService(deps: RoutingServiceDeps) {
  const { router, agents, sessions } = deps;

  /**
   * Tells each decision's workflow and acknowledges it (tellAndAcknowledge);
   * one that could not be told stays pending for the next redelivery round.
   */
  async function deliver(tenantId: string, assignments: Assignment[]): Promise<void> {
    const { delivered, failed } = await tellAndAcknowledge(
      router,
      tenantId,
      assignments,
      (assignment) => deps.tell(tenantId, assignment),
    );
    for (const { assignment, error } of failed) deps.onDeliveryError?.(assignment, error);
    if (deps.observe && delivered.length) void observeDecisions(deps.observe, tenantId, delivered);
  }

  /**
   * Each decision's latency, from the queue entry its session's ticket keeps
   * (one Redis read per decision, after the decision was told, not awaited
   * by the caller). Counted by the decision's maker only: redelivery rounds
   * retell decisions that were counted when made.
   */
  async function observeDecisions(
    observe: RoutingObserver,
    tenantId: string,
    delivered: Assignment[],
  ): Promise<void> {
    await Promise.all(
      delivered.map(async (assignment) => {
        const enqueuedAt = await router.enqueuedAt(tenantId, assignment.sessionId);
        if (enqueuedAt === undefined) return;
        observe.decided(
          assignment.offer ? 'offered' : 'assigned',
          Math.max(0, assignment.assignedAt - enqueuedAt),
        );
      }),
      // A failed read loses one observation, never the decision, which was told already.
    ).catch(() => undefined);
  }

  /**
   * Rebuilds the tenant's Redis state from MongoDB if Redis lost it (or never
   * had it: a new tenant's state starts here, from nothing). Says which.
   */
  async function heal(tenantId: string): Promise<'intact' | 'started' | 'rebuilt'> {
    if (await router.intact(tenantId)) return 'intact';
    const [groupDocs, agentDocs, open, waiting, presence] = await Promise.all([
      agents.listGroups(tenantId),
      agents.listAgents(tenantId),
      sessions.inPhases(tenantId, ['reserved', 'assigned']),
      sessions.inPhases(tenantId, ['queued']),
      deps.tenants.presence(tenantId),
    ]);
    const { restored, assignments } = await router.restore(tenantId, {
      presence,
      groups: groupDocs.map((g) => ({
        groupId: g.groupId,
        strategy: g.strategy,
        reserve: g.reserve,
        overflowGroupId: g.overflowGroupId,
      })),
      agents: agentDocs.map((a) => ({
        agentId: a.agentId,
        capacity: a.capacity,
        groups: a.groups,
        status: a.status,
        openSessions: open.filter((s) => s.agentId === a.agentId).map((s) => s._id),
      })),
      waiting: waiting.flatMap((s) =>
        s.groupId !== undefined && s.priority !== undefined && s.enqueuedAt !== undefined
          ? [
              {
                sessionId: s._id,
                groupId: s.groupId,
                priority: s.priority,
                enqueuedAt: s.enqueuedAt,
              },
            ]
          : [],
      ),
    });
    await deliver(tenantId, assignments);
    if (!restored) return 'intact';
    // Connections were lost with the state: graces may have started.
    await router.noteTenants([tenantId]);
    await settleRestoredSeats(tenantId);
    const empty = !groupDocs.length && !agentDocs.length && !open.length && !waiting.length;
    const outcome = empty ? 'started' : 'rebuilt';
    deps.observe?.healed(outcome);
    return outcome;
  }

  /**
   * Gives back the seats a restore took for sessions that have left them
   * since. A close releases its seat before it records the session closed,
   * and a declined offer goes back to the queue before it is recorded; while
   * the state is lost, those releases find nothing to free, so a restore
   * that read MongoDB in between seats the session again, and nothing would
   * ever free it (a requeued session would even be answered "assigned").
   * A seat stays in doubt, checked again each round, until its session is
   * seen ended (released: safe to repeat) or back in the queue (released
   * unless a decision for it is in flight).
   */
  async function settleRestoredSeats(tenantId: string): Promise<void> {
    for (const { sessionId, agentId } of await router.restoredSeats(tenantId)) {
      const session = await sessions.get(tenantId, sessionId);
      if (!session) {
        // A session MongoDB does not know cannot be judged: its seat is left as it is.
        await router.settleRestoredSeat(tenantId, sessionId);
      } else if (endedPhases.includes(session.phase)) {
        await deliver(tenantId, await router.release(tenantId, agentId, sessionId));
        await router.settleRestoredSeat(tenantId, sessionId);
      } else if (seatlessPhases.includes(session.phase)) {
        try {
          await deliver(tenantId, await router.releaseStranded(tenantId, agentId, sessionId));
          await router.settleRestoredSeat(tenantId, sessionId);
        } catch (error) {
          // A decision in flight: judged again next round, once it has landed.
          if (!(error instanceof RoutingInputError)) throw error;
        }
      }
    }
  }

  /**
   * Runs a Redis call that MongoDB has already vouched for; if Redis lost the
   * tenant's state, heals and runs it once more — also when another heal got
   * there first (ours then finds the state intact), since that one may have
   * read MongoDB before this call's write.
   */
  async function healing<T>(tenantId: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof RoutingInputError)) throw error;
      await heal(tenantId);
      return call();
    }
  }

  return {
    deliver,
    heal,
    settleRestoredSeats,

    /** Presence that follows agents' console connections (the gateway tells it of each). */
    presence: presenceFollowing({ router, agents, deliver, healing }),

    /**
     * Sets how the tenant's presence works (MongoDB first), then applies it
     * to every agent at once: to `manual`, agents online without a console
     * may take sessions now; to `connections`, their grace starts.
     */
    async configurePresence(
      tenantId: string,
      settings: PresenceSettingsInput,
    ): Promise<PresenceSettings> {
      check(opaqueId, tenantId, 'tenantId');
      const valid = check(presenceSettingsSchema, settings, 'presence');
      await deps.tenants.setPresence(tenantId, valid);
      const agentIds = (await agents.listAgents(tenantId)).map((a) => a.agentId);
      const made = await router.configurePresence(tenantId, valid, agentIds);
      await router.noteTenants([tenantId]);
      await deliver(tenantId, made);
      return valid;
    },

    /** Creates or changes an agent; groups must exist. */
    async configureAgent(tenantId: string, agent: AgentRouting): Promise<void> {
      check(opaqueId, tenantId, 'tenantId');
      const valid = check(agentRoutingSchema, agent, 'agent');
      const known = new Set((await agents.listGroups(tenantId)).map((g) => g.groupId));
      valid.groups.forEach((groupId, index) => {
        if (!known.has(groupId)) {
          throw new RoutingInputError(`agent.groups.${index}`, `no group ${groupId}`);
        }
      });
      await agents.upsertAgent(tenantId, valid);
      await deliver(tenantId, await router.upsertAgent(tenantId, valid));
    },

    /**
     * Presence: online drains the agent's queues at once (while the agent has
     * a live connection, when the tenant follows connections); busy, away and
     * offline stop new sessions.
     */
    async setStatus(tenantId: string, agentId: string, status: AgentStatus): Promise<void> {
      check(opaqueId, tenantId, 'tenantId');
      check(opaqueId, agentId, 'agentId');
      check(z.enum(agentStatuses), status, 'status');
      if (!(await agents.setStatus(tenantId, agentId, status))) {
        throw new RoutingInputError('agentId', `no agent ${agentId}`);
      }
      const made = await healing(tenantId, () => router.setStatus(tenantId, agentId, status));
      // Online with no console yet starts a grace: the presence sweep must know the tenant.
      await router.noteTenants([tenantId]);
      await deliver(tenantId, made);
    },

    /**
     * Takes a deleted agent out of routing: Redis first, which refuses while
     * the agent still holds a seat (nothing written then), then MongoDB.
     */
    async removeAgent(tenantId: string, agentId: string): Promise<void> {
      check(opaqueId, tenantId, 'tenantId');
      check(opaqueId, agentId, 'agentId');
      await router.removeAgent(tenantId, agentId);
      await agents.removeAgent(tenantId, agentId);
    },

    async configureGroup(tenantId: string, groupId: string, settings: GroupRouting): Promise<void> {
      check(opaqueId, tenantId, 'tenantId');
      check(opaqueId, groupId, 'groupId');
      const valid = check(groupRoutingSchema, settings, 'group');
      // The router refuses a self-overflow before anything is written.
      await router.configureGroup(tenantId, groupId, valid);
      await agents.upsertGroup(tenantId, groupId, valid);
    },

    /** Removes a group: the durable truth first, then the Redis mirror. False when there is none. */
    async removeGroup(tenantId: string, groupId: string): Promise<boolean> {
      if (!(await agents.removeGroup(tenantId, groupId))) return false;
      await router.removeGroup(tenantId, groupId);
      return true;
    },

    async groupExists(tenantId: string, groupId: string): Promise<boolean> {
      return (await agents.listGroups(tenantId)).some((g) => g.groupId === groupId);
    },

    /**
     * Assigns or queues the session, or refuses it ('full') when its group's
     * queue is already `maxLength` long; an immediate assignment is told like
     * any other.
     */
    async enqueue(
      tenantId: string,
      request: EnqueueRequest,
      maxLength: number,
    ): Promise<EnqueueResult> {
      const result = await router.enqueue(tenantId, request, maxLength);
      if (result.status === 'assigned') {
        const pending = (await router.pending(tenantId)).filter(
          (a) => a.sessionId === request.sessionId,
        );
        await deliver(tenantId, pending);
      }
      return result;
    },

    /** The session left its agent (closed, declined as a stray): frees the seat, drains. */
    async release(tenantId: string, agentId: string, sessionId: string): Promise<void> {
      await deliver(tenantId, await router.release(tenantId, agentId, sessionId));
    },

    async transfer(tenantId: string, request: Parameters<Router['transfer']>[1]) {
      // A group that does not exist has nobody to serve its queue: the session would wait for good.
      if (request.toGroupId !== undefined) {
        const known = (await agents.listGroups(tenantId)).some(
          (g) => g.groupId === request.toGroupId,
        );
        if (!known) throw new RoutingInputError('toGroupId', `no group ${request.toGroupId}`);
      }
      const { result, assignments } = await router.transfer(tenantId, request);
      await deliver(tenantId, assignments);
      return result;
    },

    /**
     * A supervisor gives a waiting session to a chosen agent (assign-queued.ts
     * says who qualifies); the decision is told like any other. A Redis that
     * lost its state is healed first, so a refusal is about the session or
     * the agent, not the loss.
     */
    async assignQueued(
      tenantId: string,
      request: Parameters<Router['assignQueued']>[1],
    ): Promise<Assignment> {
      const made = await healing(tenantId, () => router.assignQueued(tenantId, request));
      await deliver(tenantId, made);
      const [assignment] = made;
      if (!assignment) throw new Error('the assignment script made no decision');
      return assignment;
    },

    async decline(tenantId: string, agentId: string, sessionId: string, awayAfterMiss: boolean) {
      const made = await router.decline(tenantId, agentId, sessionId, { awayAfterMiss });
      if (awayAfterMiss) await agents.setStatus(tenantId, agentId, 'away');
      await deliver(tenantId, made);
    },

    /** One redelivery round of decisions older than `minAgeMs` whose maker may have died. */
    async redeliver(tenantId: string, minAgeMs: number): Promise<DeliveryRound> {
      return deliverPending(router, tenantId, (assignment) => deps.tell(tenantId, assignment), {
        minAgeMs,
      });
    },

    // Reads and single-step decisions that tell nobody: the rest of the
    // engine asks them here too, so nothing outside routing/ holds the router.

    /** A waiting session's place in its group's queue and estimated wait; undefined when not waiting. */
    queuePosition: (tenantId: string, sessionId: string) =>
      router.queuePosition(tenantId, sessionId),

    queueLength: (tenantId: string, groupId: string) => router.queueLength(tenantId, groupId),

    /** The agent's open sessions (its load is their number). */
    sessionsOf: (tenantId: string, agentId: string) => router.sessionsOf(tenantId, agentId),

    /** Takes a waiting session out of its queue. True if it was queued. */
    cancel: (tenantId: string, sessionId: string) => router.cancel(tenantId, sessionId),

    /** The agent takes the session offered to it. False if it was not offered to this agent (any more). */
    accept: (tenantId: string, agentId: string, sessionId: string) =>
      router.accept(tenantId, agentId, sessionId),

    /** A group's routing settings (defaults for a group never configured). */
    groupSettings: (tenantId: string, groupId: string) => router.groupSettings(tenantId, groupId),
  };
}

export type RoutingService = ReturnType<typeof createRoutingService>;
