/**
 * socket.io namespaces and room names. The gateway joins sockets to rooms and
 * the worker emits to them through Redis, so both build names here.
 */
export const namespaces = {
  visitor: '/visitor',
} as const;

export function sessionRoom(tenantId: string, sessionId: string): string {
  return `tenant:${tenantId}:session:${sessionId}`;
}
