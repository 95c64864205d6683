/**
 * Redis key names of the routing state. Every key of a tenant carries the
 * same hash tag, `{t:<tenantId>}`, so a Lua script touching several of them
 * stays on one Redis Cluster slot.
 */
export function tenantPrefix(tenantId: string): string {
  return `re:{t:${tenantId}}:`;
}

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
  };
};
