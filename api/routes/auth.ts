import { z } from 'zod';
import { opaqueId } from '../../domain/session';
import { hashPassword, verifyPassword } from '../../runtime/secrets';
import { issueAgentToken } from '../../runtime/tokens';
import type { StaffStore } from '../../stores/staff';
import type { AccessRevocation } from '../auth/access-revocation';
import type { LoginThrottle } from '../auth/login-throttle';
import type { TenantSuspension } from '../auth/tenant-suspension';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { agentSession } from '../views';

export interface AuthRouteDeps {
  staff: Pick<StaffStore, 'get' | 'revokeToken'>;
  tokenSecret: string;
  agentTokenTtlSeconds: number;
  throttle: LoginThrottle;
  /** A suspended tenant's staff cannot log in. */
  suspension: Pick<TenantSuspension, 'refuse'>;
  /** Logout cuts the sockets opened with the token, on every node. */
  revocation: AccessRevocation;
}

export const agentLoginSchema = z.strictObject({
  tenantId: opaqueId,
  agentId: opaqueId,
  password: z.string().min(1).max(200),
});

/** `/api/v1/auth`: agents and supervisors log in with a password for a token, and log out. */
export function authRoutes(api: ReturnType<typeof endpoints>, deps: AuthRouteDeps): void {
  api.add({
    method: 'post',
    path: '/api/v1/auth/agent-login',
    tag: 'access',
    summary: 'Log an agent or supervisor in: a short-lived agent token',
    roles: 'public',
    body: agentLoginSchema,
    responses: { 200: { description: 'Logged in', schema: agentSession } },
    errors: {
      401: 'Unknown agent or wrong password (`unauthenticated`; the answer does not say which), or the right password of a deactivated account (`account_inactive`)',
      403: 'The tenant is suspended (`tenant_suspended`)',
      429: 'Too many failed logins of this account, or from this address (`too_many_attempts`): wait `Retry-After` seconds',
    },
    async handle({ body, address }) {
      const { tenantId, agentId } = body;
      const wait = await deps.throttle.retryAfter(tenantId, agentId, address);
      if (wait > 0) {
        throw new AppError(
          429,
          'too_many_attempts',
          `Too many failed logins; try again in ${wait} s`,
          { retryAfterSeconds: wait },
        );
      }
      const staff = await deps.staff.get(tenantId, agentId);
      // Hash even without an account, so timing does not tell which agents exist.
      const ok = await verifyPassword(
        body.password,
        staff?.passwordHash ?? (await hashPassword('no account')),
      );
      if (!staff?.passwordHash || !ok) {
        await deps.throttle.failed(tenantId, agentId, address);
        throw new AppError(401, 'unauthenticated', 'Unknown agent or wrong password');
      }
      // Only the password's holder learns this; a deleted account has no password left.
      if (staff.active === false) {
        throw new AppError(
          401,
          'account_inactive',
          'This account is deactivated; an admin can reactivate it',
        );
      }
      await deps.suspension.refuse(tenantId);
      await deps.throttle.succeeded(tenantId, agentId, address);
      const issued = issueAgentToken(
        deps.tokenSecret,
        { tenantId, agentId, role: staff.role },
        deps.agentTokenTtlSeconds,
      );
      return {
        status: 200,
        body: { ...issued, agentId, role: staff.role },
      };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/auth/logout',
    tag: 'access',
    summary:
      'Log out: the caller’s own agent token stops working on every node, and sockets opened with it are disconnected (other devices stay logged in)',
    roles: ['agent', 'supervisor'],
    responses: { 204: { description: 'Logged out' } },
    async handle({ principal }) {
      if (principal?.role !== 'agent' && principal?.role !== 'supervisor') {
        throw new AppError(403, 'forbidden', 'Only agents and supervisors log out');
      }
      const { tenantId, agentId, role, token } = principal;
      if (!token) throw new AppError(401, 'unauthenticated', 'No token to log out');
      await deps.staff.revokeToken(tenantId, agentId, role, {
        id: token.id,
        expiresAt: token.expiresAt,
      });
      await deps.revocation.token(tenantId, agentId, token.id);
      return { status: 204 };
    },
  });
}
