import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  identityClockSkewSeconds,
  identityTokenClaimsSchema,
  maxIdentityTokenSeconds,
  type IdentityTokenClaims,
} from '../domain/identity';

/**
 * The signature checks of a merchant-signed shopper identity: a hex
 * HMAC-SHA256 of the visitor id, or a compact JWT signed HS256 with the same
 * identity secret. Hand-rolled on node:crypto on purpose: it is one
 * algorithm, a few lines, and strict where general JWT libraries are lenient
 * (only `HS256`, `exp` required, the lifetime capped). Every check runs
 * against each of the tenant's valid secrets (two during a rotation).
 */

const hmac = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest();

const sameBytes = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);

/** The hex HMAC-SHA256 of the visitor id that the merchant's backend computes. */
export function identityHash(secret: string, visitorId: string): string {
  return hmac(secret, visitorId).toString('hex');
}

/** Whether `hash` signs `visitorId` under one of the secrets (constant time per secret). */
export function verifyIdentityHash(
  secrets: readonly string[],
  visitorId: string,
  hash: string,
): boolean {
  const given = Buffer.from(hash.toLowerCase(), 'hex');
  return secrets.some((secret) => sameBytes(hmac(secret, visitorId), given));
}

/** Why an identity token was refused, for the 401 that names it. */
export type IdentityTokenRefusal =
  | 'malformed'
  | 'algorithm'
  | 'signature'
  | 'claims'
  | 'expired'
  | 'not_yet_valid'
  | 'too_long_lived';

export type IdentityTokenCheck =
  | { ok: true; claims: IdentityTokenClaims }
  | { ok: false; reason: IdentityTokenRefusal; detail: string };

const segment = /^[A-Za-z0-9_-]+$/;

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

const refuse = (reason: IdentityTokenRefusal, detail: string): IdentityTokenCheck => ({
  ok: false,
  reason,
  detail,
});

/** Checks a merchant's identity JWT: HS256 only, a valid signature, short-lived, unexpired. */
export function verifyIdentityToken(
  secrets: readonly string[],
  token: string,
  now = Date.now(),
): IdentityTokenCheck {
  const parts = token.split('.');
  const [header, payload, signature] = parts;
  if (parts.length !== 3 || !header || !payload || !signature) {
    return refuse('malformed', 'a JWT is three base64url parts separated by dots');
  }
  if (![header, payload, signature].every((part) => segment.test(part))) {
    return refuse('malformed', 'a JWT is three base64url parts separated by dots');
  }
  const head = decodeJson(header);
  if (typeof head !== 'object' || head === null || !('alg' in head)) {
    return refuse('malformed', 'the JWT header is not a JSON object with `alg`');
  }
  // Only HS256: `none` and every other algorithm are refused before any signature check.
  if (head.alg !== 'HS256') return refuse('algorithm', 'only alg HS256 is accepted');
  const given = Buffer.from(signature, 'base64url');
  const signed = `${header}.${payload}`;
  if (!secrets.some((secret) => sameBytes(hmac(secret, signed), given))) {
    return refuse('signature', 'the JWT is not signed with the tenant’s identity secret');
  }
  const claims = identityTokenClaimsSchema.safeParse(decodeJson(payload));
  if (!claims.success) {
    const issue = claims.error.issues[0];
    return refuse('claims', `claim ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const seconds = Math.floor(now / 1000);
  const { exp, iat, nbf } = claims.data;
  if (exp + identityClockSkewSeconds <= seconds) return refuse('expired', 'the JWT has expired');
  if (
    (nbf !== undefined && nbf - identityClockSkewSeconds > seconds) ||
    (iat !== undefined && iat - identityClockSkewSeconds > seconds)
  ) {
    return refuse('not_yet_valid', 'the JWT is not valid yet (nbf or iat in the future)');
  }
  if (exp - (iat ?? seconds) > maxIdentityTokenSeconds) {
    return refuse('too_long_lived', `exp may be at most ${maxIdentityTokenSeconds} s after iat`);
  }
  return { ok: true, claims: claims.data };
}

/** Signs an identity JWT as a merchant's backend does (for tests, the demo and the docs). */
export function signIdentityToken(secret: string, claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signed = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${signed}.${hmac(secret, signed).toString('base64url')}`;
}
