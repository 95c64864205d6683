/**
 * socket.io namespaces and room names. The gateway joins sockets to rooms and
 * the worker emits to them through Redis, so both build names here.
 */
export const namespaces = {
  visitor: '/visitor',
  /** Agents and supervisors; the token's role decides what a socket may do. */
  agent: '/agent',
} as const;

/** A session's live messages, in either namespace. */
export function sessionRoom(tenantId: string, sessionId: string): string {
  return `tenant:${tenantId}:session:${sessionId}`;
}

/** Every supervisor socket of a tenant: alerts that need a person's attention go here. */
export function supervisorRoom(tenantId: string): string {
  return `tenant:${tenantId}:supervisors`;
}

/** Every socket of one agent (several tabs, several nodes): list pushes go here. */
export function agentRoom(tenantId: string, agentId: string): string {
  return `tenant:${tenantId}:agent:${agentId}`;
}

/**
 * Every socket of one staff account, agent or supervisor (several tabs, several nodes):
 * revoking the account's access disconnects this room.
 */
export function staffRoom(tenantId: string, agentId: string): string {
  return `tenant:${tenantId}:staff:${agentId}`;
}

/** The sockets opened with one staff token: logging that token out disconnects them. */
export function staffTokenRoom(tenantId: string, tokenId: string): string {
  return `tenant:${tenantId}:staff-token:${tokenId}`;
}
