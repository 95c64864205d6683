import type { Principal, Role } from '../../domain/access';
import { sameSecret } from '../../runtime/secrets';
import { verifyAgentToken, verifyVisitorToken } from '../../runtime/tokens';
import type { ApiKeyStore } from '../../stores/api-keys';
import { AppError } from '../errors';
import type { StaffAccessCheck } from './staff-access';

export interface AuthDeps {
  apiKeys: ApiKeyStore;
  tokenSecret: string;
  operatorToken: string | undefined;
  /** Refuses staff tokens logged out, revoked, or of deactivated or deleted accounts. */
  staffAccess: StaffAccessCheck;
}

/**
 * Who sent the request, from `Authorization: Bearer <credential>`: a tenant
 * API key (`rek_…`), the operator token, an agent token, or a shopper's
 * session-scoped visitor token (routes opt in to the `visitor` role). Undefined when
 * there is no credential; a credential that does not check out is a 401.
 */
export async function authenticate(
  deps: AuthDeps,
  header: string | undefined,
): Promise<Principal | undefined> {
  if (header === undefined) return undefined;
  const match = /^Bearer (\S+)$/.exec(header);
  if (!match?.[1]) throw unauthenticated('The Authorization header must be `Bearer <credential>`');
  const credential = match[1];
  if (credential.startsWith('rek_')) {
    const key = await deps.apiKeys.verify(credential);
    if (!key) throw unauthenticated('The API key is invalid or revoked');
    return key;
  }
  if (deps.operatorToken !== undefined && sameSecret(credential, deps.operatorToken)) {
    return { role: 'operator' };
  }
  const agent = verifyAgentToken(deps.tokenSecret, credential);
  if (agent) {
    if (!(await deps.staffAccess.allows(agent))) {
      throw unauthenticated(
        'The token has been revoked (logged out, or the account was deactivated or deleted)',
      );
    }
    return agent;
  }
  const visitor = verifyVisitorToken(deps.tokenSecret, credential);
  if (visitor) return { role: 'visitor', ...visitor };
  throw unauthenticated('The token is invalid or expired');
}

/**
 * Who sent the request, for routes that take only the chat's session tokens
 * (see Endpoint.credential): a shopper's session-scoped visitor token or an
 * agent's token still in force. Anything else, none included, is 401
 * `unauthorized`, the refusal the socket handshake gives the same tokens.
 */
export async function authenticateSessionToken(
  deps: Pick<AuthDeps, 'tokenSecret' | 'staffAccess'>,
  header: string | undefined,
): Promise<Principal> {
  const token = /^Bearer (\S+)$/i.exec(header ?? '')?.[1];
  const visitor = verifyVisitorToken(deps.tokenSecret, token);
  if (visitor) return { role: 'visitor', ...visitor };
  const agent = verifyAgentToken(deps.tokenSecret, token);
  if (agent && (await deps.staffAccess.allows(agent))) return agent;
  throw new AppError(
    401,
    'unauthorized',
    'Authorization: a valid visitor or agent token is required as `Bearer <token>`',
  );
}

/** The principal, if its role may call the route: 401 without one, 403 with the wrong role. */
export function authorize(principal: Principal | undefined, allowed: readonly Role[]): Principal {
  if (!principal) throw unauthenticated('This route needs `Authorization: Bearer <credential>`');
  if (!allowed.includes(principal.role)) {
    throw new AppError(
      403,
      'forbidden',
      `The ${principal.role} role may not call this route (allowed: ${allowed.join(', ')})`,
    );
  }
  return principal;
}

/** The tenant every store call of the request is scoped to. */
export function tenantOf(principal: Principal | undefined): string {
  if (!principal) throw unauthenticated('This route needs `Authorization: Bearer <credential>`');
  if (principal.role === 'operator') {
    throw new AppError(403, 'forbidden', 'The operator acts on tenants, not inside one');
  }
  return principal.tenantId;
}

const unauthenticated = (message: string) => new AppError(401, 'unauthenticated', message);
