import type { AgentStatus, Assignment } from '../domain/agents';
import type { AgentStore } from '../stores/agents';
import type { HeldConnection } from './connections';
import type { Router } from './router';

export interface PresenceFollowingDeps {
  router: Router;
  agents: AgentStore;
  /** Tells the decisions' sessions (the routing service's deliver). */
  deliver: (tenantId: string, assignments: Assignment[]) => Promise<void>;
  /** Runs a Redis call, healing the tenant's state first if Redis lost it. */
  healing: <T>(tenantId: string, call: () => Promise<T>) => Promise<T>;
}

/**
 * Agent presence that follows the agent's console connections (a tenant in
 * the `connections` presence mode, domain/presence.ts). Redis decides who
 * is live, atomically with assignment (routing/scripts.ts); the status
 * changes the engine makes on its own are written to MongoDB first, only
 * from the status they expect, so an agent's own choice made meanwhile is
 * never overwritten:
 *
 * - the last connection closes, or its gateway node dies (its lease runs
 *   out): the agent takes nothing new at once; after the tenant's grace
 *   with still no connection, an online or busy agent is set away with the
 *   reason `disconnected`;
 * - a connection opens: an agent away for that reason gets back the status
 *   it had (as Chatwoot and Rocket.Chat restore the chosen availability);
 *   an away, busy or offline the agent chose stays.
 *
 * Each returns true when it changed a status (supervisors' views re-read).
 */
export function presenceFollowing({ router, agents, deliver, healing }: PresenceFollowingDeps) {
  /** Gives an agent away for being disconnected the status it had before. */
  async function resume(tenantId: string, agentId: string): Promise<boolean> {
    const doc = await agents.getAgent(tenantId, agentId);
    if (doc?.status !== 'away' || doc.statusReason !== 'disconnected') return false;
    const back: AgentStatus = doc.previousStatus === 'busy' ? 'busy' : 'online';
    const changed = await agents.changeStatusIf(
      tenantId,
      agentId,
      { statuses: ['away'], reason: 'disconnected' },
      { status: back },
    );
    if (!changed) return false;
    await deliver(
      tenantId,
      await healing(tenantId, () => router.setStatus(tenantId, agentId, back)),
    );
    return true;
  }

  /** The grace is over with no connection back: away, unless the agent chose a status meanwhile. */
  async function setAway(tenantId: string, agentId: string): Promise<boolean> {
    const changed = await agents.changeStatusIf(
      tenantId,
      agentId,
      { statuses: ['online', 'busy'] },
      { status: 'away', reason: 'disconnected' },
    );
    const doc = await agents.getAgent(tenantId, agentId);
    if (doc?.status !== 'away' || doc.statusReason !== 'disconnected') {
      // The agent's own status (or no agent any more): nothing to follow.
      await router.forgetDisconnected(tenantId, agentId);
      return changed;
    }
    // Decided: MongoDB says away. Redis follows, unless a connection came back in between.
    if ((await router.settleDisconnected(tenantId, agentId)) === 'back') {
      return (await resume(tenantId, agentId)) || changed;
    }
    return changed;
  }

  /**
   * One sweep of the tenant: dead nodes' connections dropped, agents whose
   * grace is over set away. Safe to run on several nodes at once (each step
   * is conditional and repeatable). Says which agents changed status and
   * whether the tenant has presence state left to sweep.
   */
  async function sweep(tenantId: string): Promise<{ changed: string[]; more: boolean }> {
    const { expired, more } = await router.sweep(tenantId);
    const changed: string[] = [];
    for (const agentId of expired) {
      if (await setAway(tenantId, agentId)) changed.push(agentId);
    }
    return { changed, more };
  }

  return {
    async connect(
      tenantId: string,
      nodeId: string,
      leaseMs: number,
      connection: HeldConnection,
    ): Promise<boolean> {
      const made = await router.connect(tenantId, nodeId, leaseMs, connection);
      await router.noteTenants([tenantId]);
      await deliver(tenantId, made);
      return resume(tenantId, connection.agentId);
    },

    async disconnect(tenantId: string, nodeId: string, connection: HeldConnection): Promise<void> {
      await router.disconnect(tenantId, nodeId, connection);
      // The grace may have started: the sweep must know the tenant.
      await router.noteTenants([tenantId]);
    },

    /** Renews the node's lease for each tenant it holds connections of, with those connections. */
    async heartbeat(
      nodeId: string,
      leaseMs: number,
      held: ReadonlyMap<string, readonly HeldConnection[]>,
    ): Promise<void> {
      // Every script is sent before the first answer is awaited: none waits on another tenant's.
      const beats = [...held].map(async ([tenantId, connections]) => {
        const made = await router.heartbeat(tenantId, nodeId, leaseMs, connections);
        await deliver(tenantId, made);
      });
      await router.noteTenants([...held.keys()]);
      await Promise.all(beats);
    },

    /**
     * A sweep of every tenant with presence state, by one node a round
     * (`roundMs`); a node that finds the round claimed does nothing. Says
     * which agents' status changed, per tenant, and the tenants that failed.
     */
    async sweepRound(nodeId: string, roundMs: number) {
      const changed = new Map<string, string[]>();
      const failed: { tenantId: string; error: unknown }[] = [];
      if (!(await router.claimSweep(nodeId, roundMs))) return { changed, failed };
      for (const tenantId of await router.sweptTenants()) {
        try {
          const swept = await sweep(tenantId);
          if (swept.changed.length) changed.set(tenantId, swept.changed);
          if (!swept.more) await router.retireTenant(tenantId);
        } catch (error) {
          failed.push({ tenantId, error });
        }
      }
      return { changed, failed };
    },

    sweep,
  };
}

export type PresenceFollowing = ReturnType<typeof presenceFollowing>;
