import { randomUUID } from 'node:crypto';
import type { HeldConnection } from '../../routing/connections';
import type { PresenceFollowing } from '../../routing/presence-following';
import type { Logger } from '../../runtime/logger';

export interface AgentPresenceOptions {
  presence: PresenceFollowing;
  log: Logger;
  /** How often this node renews its lease; the lease lasts three of these. */
  heartbeatMs: number;
  /**
   * Agents' status changed on its own: supervisors' monitors re-read the
   * live figures, and the agents' own consoles are told.
   */
  onChanged: (tenantId: string, agentIds: readonly string[]) => void;
}

/** What the gateway knows of a staff socket. */
interface StaffSocket {
  id: string;
  data: { tenantId: string; agentId: string };
}

/**
 * This gateway node's part in presence that follows connections
 * (routing/presence-following.ts): it records each staff socket that opens
 * and closes, renews its lease with the connections it holds (a node that
 * dies stops renewing, and its connections count as gone once the lease runs
 * out), and sweeps every tenant's graces once a second — one node a round,
 * whichever claims it, so any surviving node carries on for a dead one.
 *
 * Every Redis write for this node goes out on one client in the order the
 * sockets came and went: a heartbeat's list is taken at the moment it is
 * sent, so it can never bring back a connection whose close was sent before.
 */
export function agentPresence({ presence, log, heartbeatMs, onChanged }: AgentPresenceOptions) {
  const nodeId = randomUUID();
  const leaseMs = heartbeatMs * 3;
  const roundMs = Math.min(1_000, heartbeatMs);
  /** tenant → socket id → agent id */
  const held = new Map<string, Map<string, string>>();
  const inFlight = new Set<Promise<unknown>>();

  const track = (work: Promise<unknown>, what: string, tenantId?: string) => {
    const running = work.catch((error: unknown) => {
      log.warn(`agent presence: ${what} failed`, { tenantId, error: String(error) });
    });
    inFlight.add(running);
    void running.finally(() => inFlight.delete(running));
  };

  const connectionOf = (socket: StaffSocket): HeldConnection => ({
    agentId: socket.data.agentId,
    socketId: socket.id,
  });

  const beat = () => {
    const snapshot = new Map(
      [...held].map(([tenantId, sockets]) => [
        tenantId,
        [...sockets].map(([socketId, agentId]) => ({ agentId, socketId })),
      ]),
    );
    if (snapshot.size) track(presence.heartbeat(nodeId, leaseMs, snapshot), 'heartbeat');
  };

  let sweeping = false;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      const { changed, failed } = await presence.sweepRound(nodeId, roundMs);
      for (const [tenantId, agents] of changed) {
        log.info('agents away after losing their connections', { tenantId, agents });
        onChanged(tenantId, agents);
      }
      for (const { tenantId, error } of failed) {
        log.warn('agent presence: sweep failed', { tenantId, error: String(error) });
      }
    } finally {
      sweeping = false;
    }
  };

  const timers = [
    setInterval(beat, heartbeatMs),
    setInterval(() => track(sweep(), 'sweep'), roundMs),
  ];

  return {
    nodeId,

    connected(socket: StaffSocket): void {
      const { tenantId } = socket.data;
      const sockets = held.get(tenantId) ?? new Map<string, string>();
      sockets.set(socket.id, socket.data.agentId);
      held.set(tenantId, sockets);
      const connect = presence.connect(tenantId, nodeId, leaseMs, connectionOf(socket));
      track(
        connect.then((changed) => changed && onChanged(tenantId, [socket.data.agentId])),
        'connect',
        tenantId,
      );
    },

    disconnected(socket: StaffSocket): void {
      const { tenantId } = socket.data;
      const sockets = held.get(tenantId);
      if (!sockets?.delete(socket.id)) return;
      if (!sockets.size) held.delete(tenantId);
      track(presence.disconnect(tenantId, nodeId, connectionOf(socket)), 'disconnect', tenantId);
    },

    /** Stops the rounds and waits for the writes already sent (before the Redis client closes). */
    async stop(): Promise<void> {
      timers.forEach(clearInterval);
      await Promise.all([...inFlight]);
    },
  };
}

export type AgentPresence = ReturnType<typeof agentPresence>;
