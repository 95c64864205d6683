import { tenantPrefix } from '../stores/redis/keys';

/**
 * Redis key names of the routing state (scripts.ts describes each one). All
 * carry the tenant's prefix, so a Lua script touching several of them stays
 * on one Redis Cluster slot.
 */
export const routingKeys = (tenantId: string) => {
  const p = tenantPrefix(tenantId);
  return {
    prefix: p,
    agent: (agentId: string) => `${p}agent:${agentId}`,
    agentSessions: (agentId: string) => `${p}agent-sessions:${agentId}`,
    available: (groupId: string) => `${p}available:${groupId}`,
    queue: (groupId: string) => `${p}queue:${groupId}`,
    group: (groupId: string) => `${p}group:${groupId}`,
    ticket: (sessionId: string) => `${p}ticket:${sessionId}`,
    declined: (sessionId: string) => `${p}declined:${sessionId}`,
    moved: (sessionId: string) => `${p}moved:${sessionId}`,
    assignment: `${p}assignment`,
    offers: `${p}offers`,
    pending: `${p}pending`,
    epoch: `${p}epoch`,
    restored: `${p}restored`,
    assignedAt: (groupId: string) => `${p}assigned-at:${groupId}`,
    presence: `${p}presence`,
    connections: (agentId: string) => `${p}conns:${agentId}`,
    node: (nodeId: string) => `${p}node:${nodeId}`,
    nodeConnections: (nodeId: string) => `${p}node-conns:${nodeId}`,
    nodes: `${p}nodes`,
    connected: `${p}connected`,
    disconnected: `${p}disconnected`,
  };
};

/**
 * The presence sweep's keys, per deployment (the nodes that share one
 * database): a node sweeps tenants against its own database, so a node of
 * another deployment on the same Redis must neither take its round nor see
 * its tenants. Not a tenant's key: read and written with single commands,
 * never inside a tenant's script.
 */
export const presenceSweepKeys = (deployment: string) => ({
  /** The tenants that have (or had) agent connections. */
  tenants: `re:presence:${deployment}:tenants`,
  /** Held by the gateway node sweeping this round, so one node sweeps at a time. */
  lock: `re:presence:${deployment}:sweep-lock`,
});
