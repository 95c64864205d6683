import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { staffRoles } from '../domain/staff-roles';

/**
 * Signed, expiring bearer tokens: a visitor token is the claim that the
 * holder is the shopper of one session of one tenant; a visitor credential
 * that the holder is one anonymous visitor of one tenant (it opens chat, it
 * reads nothing by itself); an agent token that
 * the holder is one agent (or supervisor) of one tenant. Format:
 * `v1.<payload>.<signature>`, both parts base64url; HMAC-SHA256 over
 * `v1.<payload>`. The payload's `typ` keeps one kind from passing as the other.
 */

const visitorClaims = z.strictObject({
  typ: z.literal('visitor'),
  tenantId: z.string(),
  sessionId: z.string(),
  visitorId: z.string(),
  exp: z.number().int(),
});

/** An anonymous shopper's proof of their engine-made id, kept by the widget across sessions. */
const credentialClaims = z.strictObject({
  typ: z.literal('visitor-credential'),
  tenantId: z.string(),
  visitorId: z.string(),
  exp: z.number().int(),
});

const agentClaims = z.strictObject({
  typ: z.literal('agent'),
  tenantId: z.string(),
  agentId: z.string(),
  role: z.enum(staffRoles),
  /** The token's own id, so one token can be revoked (logout); absent in tokens issued before ids. */
  jti: z.string().optional(),
  /** Issue time (epoch ms), so every token issued before a revocation can be refused. */
  iat: z.number().int().optional(),
  exp: z.number().int(),
});

export type VisitorClaims = Omit<z.infer<typeof visitorClaims>, 'typ' | 'exp'>;
export type VisitorCredentialClaims = Omit<z.infer<typeof credentialClaims>, 'typ' | 'exp'>;
export type AgentClaims = Omit<z.infer<typeof agentClaims>, 'typ' | 'exp' | 'jti' | 'iat'>;

/**
 * A verified agent token: its claims, and what revocation checks it by.
 * A token issued before tokens carried an id and an issue time gets an id
 * derived from its signature (so it can still be logged out) and counts as
 * issued at 0 (so any revocation of the agent's tokens refuses it).
 */
export interface VerifiedAgentToken extends AgentClaims {
  token: { id: string; issuedAt: number; expiresAt: number };
}

export interface IssuedToken {
  token: string;
  expiresAt: string;
}

const sign = (secret: string, data: string) =>
  createHmac('sha256', secret).update(data).digest('base64url');

function issue(
  secret: string,
  claims: Record<string, unknown>,
  ttlSeconds: number,
  now: number,
): IssuedToken {
  const exp = Math.floor(now / 1000) + ttlSeconds;
  const payload = Buffer.from(JSON.stringify({ ...claims, exp })).toString('base64url');
  const signed = `v1.${payload}`;
  return {
    token: `${signed}.${sign(secret, signed)}`,
    expiresAt: new Date(exp * 1000).toISOString(),
  };
}

/** The payload of a well-signed token, or undefined (never throws). */
function signedPayload(secret: string, token: unknown): unknown {
  if (typeof token !== 'string') return undefined;
  const [version, payload, signature, ...rest] = token.split('.');
  if (version !== 'v1' || !payload || !signature || rest.length > 0) return undefined;
  const expected = Buffer.from(sign(secret, `v1.${payload}`));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

export function issueVisitorToken(
  secret: string,
  claims: VisitorClaims,
  ttlSeconds: number,
  now = Date.now(),
): IssuedToken {
  return issue(secret, { typ: 'visitor', ...claims }, ttlSeconds, now);
}

/** The claims of a valid, unexpired visitor token, or undefined (never throws). */
export function verifyVisitorToken(
  secret: string,
  token: unknown,
  now = Date.now(),
): VisitorClaims | undefined {
  const claims = visitorClaims.safeParse(signedPayload(secret, token));
  if (!claims.success || claims.data.exp * 1000 <= now) return undefined;
  const { tenantId, sessionId, visitorId } = claims.data;
  return { tenantId, sessionId, visitorId };
}

export function issueVisitorCredential(
  secret: string,
  claims: VisitorCredentialClaims,
  ttlSeconds: number,
  now = Date.now(),
): IssuedToken {
  return issue(secret, { typ: 'visitor-credential', ...claims }, ttlSeconds, now);
}

/** The claims of a valid, unexpired visitor credential, or undefined (never throws). */
export function verifyVisitorCredential(
  secret: string,
  token: unknown,
  now = Date.now(),
): VisitorCredentialClaims | undefined {
  const claims = credentialClaims.safeParse(signedPayload(secret, token));
  if (!claims.success || claims.data.exp * 1000 <= now) return undefined;
  const { tenantId, visitorId } = claims.data;
  return { tenantId, visitorId };
}

export function issueAgentToken(
  secret: string,
  claims: AgentClaims,
  ttlSeconds: number,
  now = Date.now(),
): IssuedToken {
  const jti = randomBytes(12).toString('base64url');
  return issue(secret, { typ: 'agent', ...claims, jti, iat: Math.floor(now) }, ttlSeconds, now);
}

/** The claims of a valid, unexpired agent token, or undefined (never throws). */
export function verifyAgentToken(
  secret: string,
  token: unknown,
  now = Date.now(),
): VerifiedAgentToken | undefined {
  const claims = agentClaims.safeParse(signedPayload(secret, token));
  if (!claims.success || claims.data.exp * 1000 <= now || typeof token !== 'string') {
    return undefined;
  }
  const { tenantId, agentId, role, jti, iat, exp } = claims.data;
  const id = jti ?? `sig-${createHash('sha256').update(token).digest('base64url').slice(0, 16)}`;
  return { tenantId, agentId, role, token: { id, issuedAt: iat ?? 0, expiresAt: exp } };
}
