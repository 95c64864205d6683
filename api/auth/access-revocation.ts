import { staffRoom, staffTokenRoom } from '../../domain/rooms';
import type { AccessRevoked } from '../../domain/socket-events';
import type { AgentNamespace } from '../gateway/agent-namespace';
import type { StaffAccessCheck } from './staff-access';

export interface AccessRevocationDeps {
  /** The agent namespace; with the Redis adapter its room operations reach every node. */
  agents: AgentNamespace;
  check: StaffAccessCheck;
  /** When to cut the room once more (see `cut`). */
  sweepAfterMs?: number;
}

/**
 * Makes a revocation felt everywhere at once, after the store has recorded
 * it: every node forgets the account's cached access (so every HTTP route
 * refuses its tokens), and its sockets on every node are told why and
 * disconnected. The decision is the store write before this; this only
 * tells.
 */
export function accessRevocation(deps: AccessRevocationDeps) {
  const sweepAfterMs = deps.sweepAfterMs ?? 2_000;
  const sweeps = new Set<NodeJS.Timeout>();

  function disconnect(room: string, reason: AccessRevoked['reason']): void {
    deps.agents.to(room).emit('access:revoked', { reason });
    deps.agents.in(room).disconnectSockets(true);
  }

  /**
   * A socket whose connect check read the account just before the store
   * write, and joined its rooms just after the first disconnect, would
   * survive it: the room is cut once more when no such check can still be
   * under way.
   */
  function cut(room: string, reason: AccessRevoked['reason']): void {
    disconnect(room, reason);
    const sweep = setTimeout(() => {
      sweeps.delete(sweep);
      disconnect(room, reason);
    }, sweepAfterMs);
    sweep.unref();
    sweeps.add(sweep);
  }

  return {
    /** Every token of the account (deactivated, deleted, all tokens revoked). */
    async account(
      tenantId: string,
      agentId: string,
      reason: Exclude<AccessRevoked['reason'], 'logged_out'>,
    ): Promise<void> {
      await deps.check.changed(tenantId, agentId);
      cut(staffRoom(tenantId, agentId), reason);
    },

    /** One token, logged out: the account's other tokens (other devices) keep working. */
    async token(tenantId: string, agentId: string, tokenId: string): Promise<void> {
      await deps.check.changed(tenantId, agentId);
      cut(staffTokenRoom(tenantId, tokenId), 'logged_out');
    },

    /** Drops the pending sweeps (the process is closing). */
    stop(): void {
      for (const sweep of sweeps) clearTimeout(sweep);
      sweeps.clear();
    },
  };
}

export type AccessRevocation = ReturnType<typeof accessRevocation>;
