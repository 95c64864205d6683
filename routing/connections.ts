import { z } from 'zod';
import type { Assignment } from '../domain/agents';
import type { PresenceSettings } from '../domain/presence';
import { opaqueId } from '../domain/session';
import { check, refusal, type Decisions } from './decide';
import { presenceSweepKeys, routingKeys } from './keys';

/** A gateway node's id or a socket's: no spaces (they separate the two in the connection sets). */
const connectionPart = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, {
  message: 'must be 1-64 letters, digits, _ . : or -',
});

/** One connection a node holds: the agent and the socket. */
export interface HeldConnection {
  agentId: string;
  socketId: string;
}

/**
 * Agents' console connections as routing sees them (scripts.ts: conns,
 * node, node-conns, nodes, disconnected): which agents are live, on which
 * gateway node, and whose grace after the last connection is over.
 */
export function connectionDecisions(
  { redis, now, scripts, made, decide }: Decisions,
  deployment: string,
) {
  const sweepKeys = presenceSweepKeys(deployment);
  const keysOf = (tenantId: string) => routingKeys(check(opaqueId, tenantId, 'tenantId'));
  return {
    /** A connection opened on the node; returns sessions assigned because the agent became live. */
    async connect(
      tenantId: string,
      nodeId: string,
      leaseMs: number,
      { agentId, socketId }: HeldConnection,
    ): Promise<Assignment[]> {
      const keys = keysOf(tenantId);
      check(opaqueId, agentId, 'agentId');
      check(connectionPart, nodeId, 'nodeId');
      check(connectionPart, socketId, 'socketId');
      return decide(scripts.connect, keys.agent(agentId), [
        keys.prefix,
        nodeId,
        String(leaseMs),
        agentId,
        socketId,
      ]);
    },

    async disconnect(
      tenantId: string,
      nodeId: string,
      { agentId, socketId }: HeldConnection,
    ): Promise<void> {
      const keys = keysOf(tenantId);
      check(opaqueId, agentId, 'agentId');
      check(connectionPart, nodeId, 'nodeId');
      check(connectionPart, socketId, 'socketId');
      await decide(scripts.disconnect, keys.agent(agentId), [
        keys.prefix,
        nodeId,
        agentId,
        socketId,
      ]);
    },

    /**
     * Renews the node's lease and makes its recorded connections exactly
     * `held`; returns sessions assigned to agents that became live.
     */
    async heartbeat(
      tenantId: string,
      nodeId: string,
      leaseMs: number,
      held: readonly HeldConnection[],
    ): Promise<Assignment[]> {
      const keys = keysOf(tenantId);
      check(connectionPart, nodeId, 'nodeId');
      const at = now();
      const reply = await scripts.heartbeat(redis, keys.presence, [
        keys.prefix,
        nodeId,
        String(leaseMs),
        String(at),
        ...held.map(({ agentId, socketId }) => `${agentId} ${socketId}`),
      ]);
      return made(reply, at);
    },

    /**
     * Drops the connections of nodes whose lease ran out; returns the agents
     * whose grace is over (still recorded as disconnected until settled) and
     * whether the tenant has presence state left to sweep.
     */
    async sweep(tenantId: string): Promise<{ expired: string[]; more: boolean }> {
      const keys = keysOf(tenantId);
      const reply = await scripts.sweep(redis, keys.disconnected, [keys.prefix, String(now())]);
      const [expired, left] = z.tuple([z.array(z.string()), z.number()]).parse(reply);
      return { expired, more: left > 0 };
    },

    /** The durable status is away (disconnected): Redis follows unless a connection came back. */
    async settleDisconnected(tenantId: string, agentId: string): Promise<'away' | 'back' | 'gone'> {
      const keys = keysOf(tenantId);
      check(opaqueId, agentId, 'agentId');
      const reply = await scripts.settleDisconnected(redis, keys.agent(agentId), [
        keys.prefix,
        agentId,
        String(now()),
      ]);
      return z.enum(['away', 'back', 'gone']).parse(reply);
    },

    /** The agent's grace is no longer watched (its durable status is one the agent chose). */
    async forgetDisconnected(tenantId: string, agentId: string): Promise<void> {
      await redis.zRem(keysOf(tenantId).disconnected, agentId);
    },

    /** Notes that the tenants have presence state to sweep (called after the script that wrote it). */
    async noteTenants(tenantIds: readonly string[]): Promise<void> {
      if (tenantIds.length) await redis.sAdd(sweepKeys.tenants, [...tenantIds]);
    },

    /** The tenants noted as having presence state. */
    sweptTenants: (): Promise<string[]> => redis.sMembers(sweepKeys.tenants),

    /** Whether this node sweeps this round: one node a round, the others skip it. */
    async claimSweep(nodeId: string, roundMs: number): Promise<boolean> {
      const claimed = await redis.set(sweepKeys.lock, nodeId, { NX: true, PX: roundMs });
      return claimed === 'OK';
    },

    /**
     * Takes a tenant the sweep found nothing left of off the list, and puts it
     * back if a connection was recorded meanwhile (whose own note may have
     * come before this removal).
     */
    async retireTenant(tenantId: string): Promise<void> {
      const keys = keysOf(tenantId);
      await redis.sRem(sweepKeys.tenants, tenantId);
      if ((await redis.exists([keys.nodes, keys.disconnected])) > 0) {
        await redis.sAdd(sweepKeys.tenants, tenantId);
      }
    },

    /** Sets the tenant's presence mode and grace, applied to `agentIds` at once. */
    async configurePresence(
      tenantId: string,
      settings: PresenceSettings,
      agentIds: readonly string[],
    ): Promise<Assignment[]> {
      const keys = keysOf(tenantId);
      const at = now();
      try {
        const reply = await scripts.configurePresence(redis, keys.presence, [
          keys.prefix,
          settings.mode,
          String(settings.disconnectGraceSeconds * 1000),
          String(at),
          ...agentIds,
        ]);
        return made(reply, at);
      } catch (error) {
        throw refusal(error);
      }
    },
  };
}
