import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Visitor tokens: a signed, expiring claim that the holder is the shopper of
 * one session of one tenant. Format: `v1.<payload>.<signature>`, both parts
 * base64url; HMAC-SHA256 over `v1.<payload>`.
 */

const visitorClaims = z.strictObject({
  typ: z.literal('visitor'),
  tenantId: z.string(),
  sessionId: z.string(),
  visitorId: z.string(),
  exp: z.number().int(),
});

export type VisitorClaims = Omit<z.infer<typeof visitorClaims>, 'typ' | 'exp'>;

const sign = (secret: string, data: string) =>
  createHmac('sha256', secret).update(data).digest('base64url');

export function issueVisitorToken(
  secret: string,
  claims: VisitorClaims,
  ttlSeconds: number,
  now = Date.now(),
): { token: string; expiresAt: string } {
  const exp = Math.floor(now / 1000) + ttlSeconds;
  const payload = Buffer.from(JSON.stringify({ typ: 'visitor', ...claims, exp })).toString(
    'base64url',
  );
  const signed = `v1.${payload}`;
  return {
    token: `${signed}.${sign(secret, signed)}`,
    expiresAt: new Date(exp * 1000).toISOString(),
  };
}

/** The claims of a valid, unexpired token, or undefined (never throws). */
export function verifyVisitorToken(
  secret: string,
  token: unknown,
  now = Date.now(),
): VisitorClaims | undefined {
  if (typeof token !== 'string') return undefined;
  const [version, payload, signature] = token.split('.');
  if (version !== 'v1' || !payload || !signature) return undefined;
  const expected = Buffer.from(sign(secret, `v1.${payload}`));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const claims = visitorClaims.safeParse(parsed);
  if (!claims.success || claims.data.exp * 1000 <= now) return undefined;
  const { tenantId, sessionId, visitorId } = claims.data;
  return { tenantId, sessionId, visitorId };
}
