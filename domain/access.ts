/**
 * Who may call the tenant API. A tenant's API keys are `admin` (configures
 * everything, manages keys and agents) or `integration` (a merchant system:
 * reads sessions and tickets, imports FAQ). Agents and supervisors log in with
 * a password and carry an agent token; the platform operator creates tenants.
 */

export const apiKeyRoles = ['admin', 'integration'] as const;
export type ApiKeyRole = (typeof apiKeyRoles)[number];

export type Role = ApiKeyRole | 'agent' | 'supervisor' | 'operator' | 'visitor';

export type Principal =
  | { role: 'operator' }
  | { role: ApiKeyRole; tenantId: string; keyId: string }
  | {
      role: 'agent' | 'supervisor';
      tenantId: string;
      agentId: string;
      /** The token the request came with: logout revokes it (absent where no token is at hand). */
      token?: { id: string; issuedAt: number; expiresAt: number };
    }
  /** A shopper with a session-scoped token: may act on that one session only. */
  | { role: 'visitor'; tenantId: string; sessionId: string; visitorId: string };

/** Role groups the routes are declared with. */
export const roles = {
  admin: ['admin'],
  adminOrSupervisor: ['admin', 'supervisor'],
  readers: ['admin', 'integration', 'supervisor'],
  staff: ['admin', 'integration', 'supervisor', 'agent'],
  operator: ['operator'],
} as const satisfies Record<string, readonly Role[]>;
