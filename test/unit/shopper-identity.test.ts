import { createHmac } from 'node:crypto';
import {
  identityHash,
  signIdentityToken,
  verifyIdentityHash,
  verifyIdentityToken,
} from '../../runtime/shopper-identity';

const secret = 'identity-secret-of-one-tenant';
const previous = 'identity-secret-before-rotation';
const now = Date.parse('2026-12-04T12:00:00Z');
const at = (offsetSeconds: number) => Math.floor(now / 1000) + offsetSeconds;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT with any header, signed HS256 with `key` (for headers the engine must refuse). */
function signedWithHeader(header: unknown, claims: unknown, key = secret): string {
  const signed = `${b64(header)}.${b64(claims)}`;
  return `${signed}.${createHmac('sha256', key).update(signed).digest('base64url')}`;
}

describe('identity hash', () => {
  it('when the hash is the HMAC of the id under a valid secret, then it verifies; under another secret or for another id, it does not', () => {
    const hash = identityHash(secret, 'u-1');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyIdentityHash([secret], 'u-1', hash)).toBe(true);
    expect(verifyIdentityHash([secret], 'u-1', hash.toUpperCase())).toBe(true);
    expect(verifyIdentityHash([previous, secret], 'u-1', hash)).toBe(true);
    expect(verifyIdentityHash([previous], 'u-1', hash)).toBe(false);
    expect(verifyIdentityHash([secret], 'u-2', hash)).toBe(false);
    expect(verifyIdentityHash([], 'u-1', hash)).toBe(false);
    expect(verifyIdentityHash([secret], 'u-1', 'zz')).toBe(false);
  });
});

describe('identity JWT', () => {
  const valid = { sub: 'u-1', iat: at(0), exp: at(600), name: 'Lin', tags: ['vip'] };

  it('when it is HS256 under a valid secret, unexpired and short-lived, then its claims come back', () => {
    const checked = verifyIdentityToken([previous, secret], signIdentityToken(secret, valid), now);
    expect(checked).toEqual({ ok: true, claims: valid });
  });

  it.each([
    ['alg none', 'algorithm', signedWithHeader({ alg: 'none' }, valid)],
    ['alg HS512', 'algorithm', signedWithHeader({ alg: 'HS512' }, valid)],
    ['no alg', 'malformed', signedWithHeader({ typ: 'JWT' }, valid)],
    ['an empty signature', 'malformed', `${b64({ alg: 'HS256' })}.${b64(valid)}.`],
    ['two parts', 'malformed', `${b64({ alg: 'HS256' })}.${b64(valid)}`],
    ['another secret', 'signature', signIdentityToken('someone-else', valid)],
    ['no exp', 'claims', signIdentityToken(secret, { sub: 'u-1' })],
    ['a bad sub', 'claims', signIdentityToken(secret, { ...valid, sub: 'a b' })],
    ['a bad email', 'claims', signIdentityToken(secret, { ...valid, email: 'nope' })],
    ['exp past the skew', 'expired', signIdentityToken(secret, { ...valid, exp: at(-61) })],
    ['nbf in the future', 'not_yet_valid', signIdentityToken(secret, { ...valid, nbf: at(120) })],
    [
      'iat in the future',
      'not_yet_valid',
      signIdentityToken(secret, { ...valid, iat: at(120), exp: at(700) }),
    ],
    [
      'a 25 h lifetime',
      'too_long_lived',
      signIdentityToken(secret, { ...valid, exp: at(25 * 3600) }),
    ],
    [
      'a 25 h exp without iat',
      'too_long_lived',
      signIdentityToken(secret, { sub: 'u-1', exp: at(25 * 3600) }),
    ],
  ])('when it has %s, then it is refused (%s)', (_case, reason, token) => {
    const checked = verifyIdentityToken([secret], token, now);
    expect(checked).toMatchObject({ ok: false, reason });
  });

  it('when the clocks differ by under a minute, then an exp just passed or an iat just ahead is accepted', () => {
    expect(
      verifyIdentityToken([secret], signIdentityToken(secret, { ...valid, exp: at(-30) }), now).ok,
    ).toBe(true);
    expect(
      verifyIdentityToken([secret], signIdentityToken(secret, { ...valid, iat: at(30) }), now).ok,
    ).toBe(true);
  });
});
